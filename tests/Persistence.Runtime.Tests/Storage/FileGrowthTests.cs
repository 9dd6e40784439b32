using Persistence.Diagnostics;
using Persistence.Testing;
using static Persistence.Tests.CheckedValues;

namespace Persistence.Tests.Storage;

public sealed class FileGrowthTests
{
    /// <summary>
    /// The allocator grows in steps of a sixty-fourth of the file (at least 64 pages), but the file grows only as pages
    /// are written: after a load it ends at the last page in use, so bytes on disk per document are the data's, not
    /// the growth step's, and the checkpoint records exactly that many pages.
    /// </summary>
    [Fact]
    public void After_a_load_the_file_ends_at_its_last_page_in_use()
    {
        var fs = new SimulatedFileSystem();
        var options = TestDatabases.Small();
        options.CheckpointWalBytes = 64 << 20; // one checkpoint at the end writes the whole load
        var db = TestDatabases.Open(fs, options);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx =>
        {
            for (var i = 0; i < 400_000; i++)
            {
                tx.Put(ks, Key(i), Value(i, 0));
            }
        });
        db.Checkpoint();

        var treePages = SpaceReport.Describe(db).Sum(k => k.LeafPages + k.BranchPages);
        var statistics = db.GetStatistics();
        var filePages = statistics.FileBytes / options.PageSize;
        Assert.True(treePages > 4000, $"{treePages} pages of data: too few to tell the growth steps apart");
        Assert.True(statistics.FilePages - treePages > 16, "the allocator's space no longer runs ahead of the data: the test shows nothing");
        Assert.Equal(db.Checkpointer!.Durable.PageCount, filePages);
        Assert.True(filePages - treePages <= 16, $"{filePages} pages in the file for {treePages} pages of tree");
        TestDatabases.AssertConsistent(db);
        db.Dispose();
    }
}
