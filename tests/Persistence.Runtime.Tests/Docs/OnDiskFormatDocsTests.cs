using System.Buffers.Binary;
using System.Text.RegularExpressions;
using Persistence.Storage;

namespace Persistence.Tests.Docs;

/// <summary>
/// The on-disk layouts are documented twice: beside the code that reads them (an offset table in the remarks of
/// <see cref="PageHeader"/>, <see cref="MetaPage"/> and <c>WalFrame</c>) and in ARCHITECTURE's "On-disk formats". Both
/// give the same offsets and sizes, and a field ARCHITECTURE calls unused is zero in every encoded meta page.
/// ARCHITECTURE still called the meta page's bytes 120-127 unused after they came to hold the clock's high-water mark,
/// and a WAL frame's bytes 29-31 reserved after byte 29 came to hold the frame's flags.
/// </summary>
public sealed partial class OnDiskFormatDocsTests
{
    [Theory]
    [InlineData("### Page header (every page; `Storage/PageHeader.cs`)", "src/Runtime/Storage/PageHeader.cs")]
    [InlineData("### Meta page (`Storage/MetaPage.cs`)", "src/Runtime/Storage/MetaPage.cs")]
    [InlineData("### WAL frame (`Wal/WalFrame.cs`)", "src/Runtime/Wal/WalFrame.cs")]
    public void Architecture_gives_each_layout_the_code_documents(string heading, string source)
    {
        var architecture = RepositoryDocs.TableAfter(RepositoryDocs.Read("docs/ARCHITECTURE.md"), heading);
        var remarks = SourceRow().Matches(RepositoryDocs.Read(source))
            .Select(row => (row.Groups[1].Value, row.Groups[2].Value.Replace("×", "", StringComparison.Ordinal)))
            .Where(row => row.Item2.Length > 0); // the payload after a header, which one of them may leave out
        Assert.Equal(remarks, architecture.Select(row => (row[0], row[1])).Where(row => row.Item2.Length > 0));
    }

    [Fact]
    public void A_meta_page_field_architecture_calls_unused_is_zero_and_bytes_120_to_127_hold_the_clock()
    {
        var architecture = RepositoryDocs.TableAfter(RepositoryDocs.Read("docs/ARCHITECTURE.md"), "### Meta page (`Storage/MetaPage.cs`)");
        var meta = new MetaPage
        {
            PageSize = 4096, Sequence = 2, CheckpointVersion = 3, WalStartLsn = 4, WalChainSeed = 5, WalSegmentSize = 6,
            PageCount = 7, CatalogPage = new PageId(8), NextKeyspaceId = 9, BitmapPages = [new PageId(10)], DatabaseId = 11,
            CreatedUnixMs = 12, ClockHighWaterTicks = 13,
        };
        var page = meta.Encode(new PageId(0));
        Assert.Equal(13, BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(120)));
        foreach (var row in architecture.Where(row => row[2].Contains("unused", StringComparison.OrdinalIgnoreCase)))
        {
            var offset = int.Parse(row[0], System.Globalization.CultureInfo.InvariantCulture);
            var size = int.Parse(row[1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(page.AsSpan(offset, size).IndexOfAnyExcept((byte)0) < 0, $"Bytes {offset}-{offset + size - 1} are documented as unused but written.");
        }
    }

    /// <summary>A row of a remarks' layout: offset, size (or "8×n", or none for the payload that follows), then the field.</summary>
    [GeneratedRegex(@"///\s+(\d+)\s+(\d+|8×n|)\s+\S")]
    private static partial Regex SourceRow();
}
