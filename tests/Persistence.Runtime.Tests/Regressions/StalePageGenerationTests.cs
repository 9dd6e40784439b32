using Persistence.Storage;
using Persistence.Testing;

namespace Persistence.Tests.Regressions;

/// <summary>
/// A page whose checksum, number and type are all valid but that was written after any checkpoint the open knows of
/// (the newest meta page was lost, the open fell back to the one before, and the page's place was reused since) is
/// corruption, not data.
/// </summary>
public sealed class StalePageGenerationTests
{
    private const string DataFile = "/sim/test.db";
    private const int PageSize = 4096;

    /// <summary>A database of 200 keys in 'k', closed cleanly; returns its newest meta page's sequence.</summary>
    private static long Build(SimulatedFileSystem fs)
    {
        var db = TestDatabases.Open(fs);
        db.Write(tx =>
        {
            var keyspace = tx.GetOrCreateKeyspace("k");
            for (var i = 0; i < 200; i++)
            {
                tx.Put(keyspace, BitConverter.GetBytes(i), new byte[40]);
            }
        });
        db.Dispose();
        var file = fs.ReadAllBytes(DataFile);
        return Enumerable.Range(0, 2)
            .Select(slot => MetaPage.TryDecode(file.AsSpan(slot * PageSize, PageSize), new PageId(slot), out _)?.Sequence ?? 0)
            .Max();
    }

    /// <summary>Reseals every leaf of the file with <paramref name="generation"/> (checksum valid again).</summary>
    private static int ResealLeaves(SimulatedFileSystem fs, long generation)
    {
        var file = fs.ReadAllBytes(DataFile);
        var count = 0;
        for (long id = 2; (id + 1) * PageSize <= file.Length; id++)
        {
            var page = file.AsSpan((int)(id * PageSize), PageSize);
            if (PageHeader.GetType(page) == PageType.Leaf && PageHeader.GetPageId(page).Value == id)
            {
                PageHeader.Seal(page, new PageId(id), generation);
                fs.Corrupt(DataFile, id * PageSize, page);
                count++;
            }
        }

        return count;
    }

    private static int CountKeys(Database db)
    {
        using var read = db.BeginRead();
        var count = 0;
        using var cursor = read.OpenCursor(read.GetKeyspace("k"));
        for (var ok = cursor.First(); ok; ok = cursor.Next())
        {
            count++;
        }

        return count;
    }

    [Fact]
    public void A_leaf_sealed_after_the_checkpoint_the_open_uses_is_corruption()
    {
        var fs = new SimulatedFileSystem();
        var sequence = Build(fs);
        Assert.True(ResealLeaves(fs, sequence + 2) > 1);
        using var db = TestDatabases.Open(fs);
        var error = Assert.Throws<CorruptionException>(() => CountKeys(db));
        Assert.Contains($"generation {sequence + 2}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_leaf_of_the_generation_after_the_checkpoint_is_read_as_written_ahead_of_it()
    {
        // Large transactions and recovery write leaves sealed with the durable sequence plus one before the checkpoint
        // that records them: those are legitimate.
        var fs = new SimulatedFileSystem();
        var sequence = Build(fs);
        Assert.True(ResealLeaves(fs, sequence + 1) > 1);
        using var db = TestDatabases.Open(fs);
        Assert.Equal(200, CountKeys(db));
    }
}
