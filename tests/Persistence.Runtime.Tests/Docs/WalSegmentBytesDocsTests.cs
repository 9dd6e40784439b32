using Persistence.Testing;

namespace Persistence.Tests.Docs;

/// <summary>
/// <see cref="DatabaseOptions.WalSegmentBytes"/> is "for a new database", and the README's Configuration table says it
/// is fixed when the database is created: the meta page records it, and a reopen with another value keeps the recorded one.
/// </summary>
public sealed class WalSegmentBytesDocsTests
{
    [Fact]
    public void A_reopen_with_another_segment_size_keeps_the_size_the_database_was_created_with()
    {
        using var dir = new TempDirectory();
        var path = dir.File();
        var created = 1 << 20;
        using (var db = Database.Open(path, new DatabaseOptions { WalSegmentBytes = created }))
        {
            db.Write(tx => tx.Put(tx.GetOrCreateKeyspace("k"), [1], [1]));
        }

        using (var db = Database.Open(path, new DatabaseOptions { WalSegmentBytes = 2 * created }))
        {
            db.Write(tx => tx.Put(tx.GetOrCreateKeyspace("k"), [2], new byte[3 * created / 2])); // past the end of a first segment
            using var read = db.BeginRead();
            Assert.Equal(3 * created / 2, read.Get(read.GetKeyspace("k"), [2])!.Length);
        }

        var segments = Directory.GetFiles(path + "-wal");
        Assert.NotEmpty(segments);
        Assert.All(segments, segment => Assert.Equal(created, new FileInfo(segment).Length));
    }
}
