using Persistence.Diagnostics;
using Persistence.Testing;
using static Persistence.Tests.CheckedValues;

namespace Persistence.Tests.Storage;

public sealed class FileGrowthTests
{
    /// <summary>
    /// The data file grows in steps of a sixty-fourth of its size (at least 64 pages), so after a load it holds few pages
    /// that were never written: bytes on disk per document are the data's, not the growth step's.
    /// </summary>
    [Fact]
    public void After_a_load_the_file_holds_at_most_one_small_growth_step_of_unused_pages()
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
        var filePages = db.GetStatistics().FileBytes / options.PageSize;
        Assert.True(treePages > 4000, $"{treePages} pages of data: too few to tell the growth steps apart");
        Assert.True(filePages - treePages <= (filePages / 64) + 16, $"{filePages} pages in the file for {treePages} pages of tree");
        TestDatabases.AssertConsistent(db);
        db.Dispose();
    }
}
