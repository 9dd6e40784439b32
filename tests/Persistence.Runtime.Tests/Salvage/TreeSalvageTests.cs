using System.Buffers.Binary;
using Persistence.BTree;
using Persistence.Storage;
using Persistence.Testing;
using Persistence.Tests.Collections;
using static Persistence.Tests.Salvage.SalvageTesting;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Salvage;

/// <summary>
/// The checkpoint's trees: a page that fails verification is skipped with everything under it and counted, a value
/// whose overflow pages fail is skipped with its key, and everything else is recovered.
/// </summary>
public sealed class TreeSalvageTests
{
    private const int PageSize = 4096;

    /// <summary>
    /// 'k': 1500 keys of 40-byte values (a branch over leaves); 'other': 10 keys; 'big': three values of 10 KB (overflow
    /// extents). Closed cleanly: everything is in the checkpoint.
    /// </summary>
    private static SimulatedFileSystem Build()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs);
        db.Write(tx =>
        {
            var k = tx.CreateKeyspace("k");
            for (var i = 0; i < 1500; i++)
            {
                tx.Put(k, Bytes($"key{i:D5}"), Enumerable.Repeat((byte)i, 40).ToArray());
            }

            var other = tx.CreateKeyspace("other");
            for (var i = 0; i < 10; i++)
            {
                tx.Put(other, [(byte)i], [(byte)i]);
            }

            var big = tx.CreateKeyspace("big");
            for (var i = 0; i < 3; i++)
            {
                tx.Put(big, [(byte)i], Enumerable.Repeat((byte)(i + 1), 10_000).ToArray());
            }
        });
        return fs;
    }

    private static long NewestSequence(SimulatedFileSystem fs)
    {
        var file = fs.ReadAllBytes(Source);
        return Enumerable.Range(0, 2).Max(slot => MetaPage.TryDecode(file.AsSpan(slot * PageSize, PageSize), new PageId(slot), out _)?.Sequence ?? 0);
    }

    public enum LeafDamage
    {
        /// <summary>One byte changed: the checksum fails.</summary>
        Checksum,

        /// <summary>Resealed (checksum valid) with a generation newer than any the checkpoint allows.</summary>
        Generation,

        /// <summary>Resealed (checksum valid) with two slots swapped: its keys are out of order.</summary>
        KeyOrder,
    }

    private static void Damage(SimulatedFileSystem fs, long page, LeafDamage damage)
    {
        var bytes = PageBytes(fs, page);
        switch (damage)
        {
            case LeafDamage.Checksum:
                bytes[2000] ^= 0x01;
                break;
            case LeafDamage.Generation:
                PageHeader.Seal(bytes, new PageId(page), NewestSequence(fs) + 2);
                break;
            case LeafDamage.KeyOrder:
                var slots = bytes.AsSpan(PageHeader.Size);
                var first = BinaryPrimitives.ReadUInt16LittleEndian(slots);
                BinaryPrimitives.WriteUInt16LittleEndian(slots, BinaryPrimitives.ReadUInt16LittleEndian(slots[2..]));
                BinaryPrimitives.WriteUInt16LittleEndian(slots[2..], first);
                PageHeader.Seal(bytes, new PageId(page), PageHeader.GetGeneration(bytes));
                break;
        }

        fs.Corrupt(Source, page * PageSize, bytes);
    }

    [Theory]
    [InlineData(LeafDamage.Checksum)]
    [InlineData(LeafDamage.Generation)]
    [InlineData(LeafDamage.KeyOrder)]
    public void A_damaged_leaf_loses_its_keys_only_and_they_are_counted(LeafDamage damage)
    {
        var fs = Build();
        var expected = OpenedContents(fs);
        var (page, leafKeys) = Leaf(fs, "k");
        Damage(fs, page, damage);
        var before = Files(fs);

        var report = SalvageSource(fs);

        AssertUnchanged(before, fs);
        var contents = SalvagedContents(fs);
        foreach (var key in leafKeys)
        {
            expected["k"].Remove(key); // never copied: neither the damaged nor the stale nor the disordered entries
        }

        Assert.Equal(expected, contents);
        Assert.Equal(1, report.PagesSkipped);
        Assert.Equal(0, report.ValuesSkipped);
        Assert.False(report.IsComplete);
        Assert.Null(report.LogDamageLsn);
        var k = report.Keyspaces.Single(s => s.Name == "k");
        Assert.Equal(leafKeys.Length, k.KeysLost);
        Assert.Equal(1500 - leafKeys.Length, k.KeysRecovered);
        Assert.Equal(1, k.PagesSkipped);
        Assert.All(report.Keyspaces.Where(s => s.Name != "k"), s => Assert.Equal(0, s.KeysLost + s.PagesSkipped));
        Assert.Contains(report.Findings, f => f.Contains($"tree page {page} is unusable", StringComparison.Ordinal));
        Assert.Empty(report.CollectionsToRebuild); // 'k' has no index keyspaces
    }

    [Fact]
    public void A_value_whose_overflow_page_is_damaged_is_skipped_with_its_key()
    {
        var fs = Build();
        var expected = OpenedContents(fs);
        long leaf;
        using (var db = TestDatabases.Open(fs.Clone()))
        {
            using var read = db.BeginRead();
            leaf = read.CurrentRoot(read.GetKeyspace("big").Id).Root!.PageId.Value; // three entries: the root is the leaf
        }

        var extent = LeafPage.Overflow(PageBytes(fs, leaf), 1).FirstPage.Value;
        fs.Corrupt(Source, ((extent + 1) * PageSize) + 100, [0x00]); // the value's second page

        var report = SalvageSource(fs);

        expected["big"].Remove(Convert.ToHexString([1]));
        Assert.Equal(expected, SalvagedContents(fs));
        Assert.Equal(1, report.ValuesSkipped);
        Assert.Equal(0, report.PagesSkipped);
        var big = report.Keyspaces.Single(s => s.Name == "big");
        Assert.Equal((1, 1, 2), (big.KeysLost, big.ValuesSkipped, big.KeysRecovered));
        Assert.False(report.IsComplete);
    }

    [Fact]
    public void A_damaged_root_loses_its_keyspaces_entries_but_keeps_the_keyspace()
    {
        var fs = Build();
        long root;
        using (var db = TestDatabases.Open(fs.Clone()))
        {
            using var read = db.BeginRead();
            root = read.CurrentRoot(read.GetKeyspace("k").Id).Root!.PageId.Value;
        }

        fs.Corrupt(Source, (root * PageSize) + 40, [0xFF, 0xFF, 0xFF]);

        var report = SalvageSource(fs);

        var k = report.Keyspaces.Single(s => s.Name == "k");
        Assert.Equal((0L, 1500L, 1L), (k.KeysRecovered, k.KeysLost, k.PagesSkipped));
        Assert.Empty(SalvagedContents(fs)["k"]);
    }

    [Fact]
    public void An_index_that_lost_entries_names_its_collection_and_rebuilding_it_as_the_report_says_makes_it_whole()
    {
        var fs = new SimulatedFileSystem();
        using (var db = TestDatabases.Open(fs))
        {
            var users = new UserCollection(db);
            db.Write(tx =>
            {
                for (var i = 0; i < 300; i++)
                {
                    users.Insert(new User { Id = i, Email = $"user{i:D4}@example.com", Age = 20 + (i % 50), Name = $"User {i}" }, tx);
                }
            });
        }

        var (page, lost) = Leaf(fs, "users#Email");
        Damage(fs, page, LeafDamage.Checksum);

        var report = SalvageSource(fs);

        Assert.Equal(["users"], report.CollectionsToRebuild);
        Assert.Equal(0, report.Keyspaces.Single(s => s.Name == "users").KeysLost);
        Assert.Equal(lost.Length, report.Keyspaces.Single(s => s.Name == "users#Email").KeysLost);
        Assert.Contains(report.Findings, f => f.StartsWith("Collection 'users'", StringComparison.Ordinal));

        // The engine's check passes (every page and count holds); the collection's finds the entries the index lost.
        using var salvaged = TestDatabases.Open(fs, path: Target);
        AssertConsistent(salvaged);
        var salvagedUsers = new UserCollection(salvaged);
        Assert.Contains(salvagedUsers.CheckConsistency(), p => p.Contains("index 'Email' lacks", StringComparison.Ordinal));

        // What the report says to do: repair the collection's indexes in the salvaged database.
        Assert.Equal(lost.Length, salvagedUsers.RepairIndexes());
        Assert.Empty(salvagedUsers.CheckConsistency());
        Assert.All(Enumerable.Range(0, 300), i => Assert.Equal(i, salvagedUsers.ByEmail.Get($"user{i:D4}@example.com")!.Id));
    }
}
