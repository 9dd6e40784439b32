using Persistence.BTree;
using Persistence.Storage;
using Persistence.Testing;

namespace Persistence.Tests.Salvage;

/// <summary>Salvaging the simulated database at <see cref="Source"/> into <see cref="Target"/>, and what tests compare.</summary>
internal static class SalvageTesting
{
    public const string Source = "/sim/test.db";
    public const string Target = "/sim/salvaged.db";

    public static SalvageReport SalvageSource(SimulatedFileSystem fs, DatabaseOptions? options = null, long transactionBytes = 16 << 20,
        CancellationToken cancellationToken = default) =>
        Database.Salvage(Source, Target, options ?? TestDatabases.Small(), fs, cancellationToken, transactionBytes);

    /// <summary>The files of the database at <paramref name="path"/> (data file, log segments), with their bytes.</summary>
    public static Dictionary<string, byte[]> Files(SimulatedFileSystem fs, string path = Source) =>
        fs.AllFiles().Where(p => p.StartsWith(path, StringComparison.Ordinal)).ToDictionary(p => p, fs.ReadAllBytes);

    /// <summary>Fails unless the source's files are exactly <paramref name="before"/>, byte for byte.</summary>
    public static void AssertUnchanged(Dictionary<string, byte[]> before, SimulatedFileSystem fs)
    {
        var after = Files(fs);
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, bytes) in before)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(after[path]), $"'{path}' changed");
        }
    }

    /// <summary>Every keyspace with its entries, in hexadecimal: what two databases must agree on.</summary>
    public static SortedDictionary<string, SortedDictionary<string, string>> Contents(Database db)
    {
        var contents = new SortedDictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        using var read = db.BeginRead();
        foreach (var keyspace in read.GetKeyspaces())
        {
            var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
            using var cursor = read.OpenCursor(keyspace);
            for (var ok = cursor.First(); ok; ok = cursor.Next())
            {
                entries[Convert.ToHexString(cursor.Key)] = Convert.ToHexString(cursor.Value);
            }

            contents[keyspace.Name] = entries;
        }

        return contents;
    }

    /// <summary>What opening the database at <see cref="Source"/> gives (on a copy of the files: an open writes to them).</summary>
    public static SortedDictionary<string, SortedDictionary<string, string>> OpenedContents(SimulatedFileSystem fs, DatabaseOptions? options = null)
    {
        using var db = TestDatabases.Open(fs.Clone(), options);
        return Contents(db);
    }

    /// <summary>Opens the salvaged database as any database is opened, checks it, and returns its contents.</summary>
    public static SortedDictionary<string, SortedDictionary<string, string>> SalvagedContents(SimulatedFileSystem fs)
    {
        using var db = TestDatabases.Open(fs, path: Target);
        TestDatabases.AssertConsistent(db);
        return Contents(db);
    }

    /// <summary>
    /// A leaf of <paramref name="keyspace"/>'s checkpointed tree, whose root must be a branch (the second child of the
    /// root), and the keys it holds in hexadecimal.
    /// </summary>
    public static (long Page, string[] Keys) Leaf(SimulatedFileSystem fs, string keyspace, int child = 1)
    {
        long page;
        using (var db = TestDatabases.Open(fs.Clone()))
        {
            using var read = db.BeginRead();
            var root = read.CurrentRoot(read.GetKeyspace(keyspace).Id).Root!;
            Assert.Equal(1, root.Level); // a branch over leaves
            page = BranchPage.Child(root.Page, child).Value;
        }

        var bytes = PageBytes(fs, page);
        Assert.Equal(PageType.Leaf, PageHeader.GetType(bytes));
        return (page, [.. Enumerable.Range(0, SlottedPage.Count(bytes)).Select(i => Convert.ToHexString(LeafPage.Key(bytes, i)))]);
    }

    /// <summary>The bytes of page <paramref name="page"/> of the source's data file (4 KiB pages, as <see cref="TestDatabases.Small"/> makes them).</summary>
    public static byte[] PageBytes(SimulatedFileSystem fs, long page) => fs.ReadAllBytes(Source).AsSpan((int)(page * 4096), 4096).ToArray();
}
