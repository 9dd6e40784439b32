using System.Buffers.Binary;
using System.Text.RegularExpressions;
using Persistence.Storage;

namespace Persistence.Tests.Docs;

/// <summary>
/// The meta page's layout is documented twice: beside the code that reads it (<see cref="MetaPage"/>'s remarks) and in
/// ARCHITECTURE's "On-disk formats". Both give the same offsets and sizes, and a field ARCHITECTURE calls unused is
/// zero in every encoded meta page. ARCHITECTURE still called bytes 120-127 unused after they came to hold the clock's
/// high-water mark.
/// </summary>
public sealed partial class MetaPageDocsTests
{
    [Fact]
    public void Architecture_gives_the_meta_page_layout_the_code_documents_and_writes()
    {
        var architecture = RepositoryDocs.TableAfter(RepositoryDocs.Read("docs/ARCHITECTURE.md"), "### Meta page (`Storage/MetaPage.cs`)");
        var source = RepositoryDocs.Read("src/Runtime/Storage/MetaPage.cs");
        var remarks = SourceRow().Matches(source).Select(row => (row.Groups[1].Value, row.Groups[2].Value.Replace("×", "", StringComparison.Ordinal)));
        Assert.Equal(remarks, architecture.Select(row => (row[0], row[1])));

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

    /// <summary>A row of the remarks' layout: offset, size (or "8×n"), then the field.</summary>
    [GeneratedRegex(@"///\s+(\d+)\s+(\d+|8×n) \S")]
    private static partial Regex SourceRow();
}
