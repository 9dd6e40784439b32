using System.Text;
using Persistence.Wal;

namespace Persistence.Tests.Wal;

/// <summary>
/// The key filter a log keeps for the conflict check: a key both logs wrote always makes their filters overlap (the
/// check may only skip a log when no key is shared), and keyspace changes, which it does not summarize, are flagged.
/// </summary>
public sealed class KeyFilterTests
{
    [Fact]
    public void Two_filters_holding_the_same_key_always_overlap()
    {
        for (var i = 0; i < 2000; i++)
        {
            var a = default(KeyFilter);
            var b = default(KeyFilter);
            var key = Encoding.UTF8.GetBytes($"user{i}@example.com");
            a.Add(i % 7, key);
            b.Add(i % 7, Encoding.UTF8.GetBytes($"other{i}"));
            b.Add(i % 7, key);
            Assert.True(a.Overlaps(b), $"key {i}");
            Assert.True(b.Overlaps(a), $"key {i}");
        }
    }

    [Fact]
    public void An_empty_filter_overlaps_nothing()
    {
        var full = default(KeyFilter);
        for (var i = 0; i < 5000; i++)
        {
            full.Add(1, BitConverter.GetBytes(i));
        }

        Assert.False(default(KeyFilter).Overlaps(full));
        Assert.False(full.Overlaps(default));
    }

    [Fact]
    public void A_log_summarizes_its_puts_and_deletes_and_flags_keyspace_changes()
    {
        var put = new TxLog(4096);
        put.Put(3, "k"u8, "v"u8);
        var delete = new TxLog(4096);
        delete.Delete(3, "k"u8);
        Assert.True(put.Keys.Overlaps(delete.Keys));
        Assert.False(put.ChangesKeyspaces);
        Assert.False(delete.ChangesKeyspaces);

        var create = new TxLog(4096);
        create.CreateKeyspace(4, "new");
        Assert.True(create.ChangesKeyspaces);
        Assert.False(create.Keys.Overlaps(put.Keys)); // nothing put or deleted: the flag, not the filter, marks it
        var drop = new TxLog(4096);
        drop.DropKeyspace(3);
        Assert.True(drop.ChangesKeyspaces);
    }

    [Fact]
    public void A_log_of_more_keys_than_the_filter_takes_overlaps_every_other_log()
    {
        var large = new TxLog(4096);
        for (var i = 0; i <= KeyFilter.MostKeys; i++)
        {
            large.Put(1, BitConverter.GetBytes(i), "v"u8);
        }

        for (var i = 0; i < 1000; i++)
        {
            var small = new TxLog(4096);
            small.Delete(1, BitConverter.GetBytes(-1 - i));
            Assert.True(large.Keys.Overlaps(small.Keys), $"key {-1 - i}");
        }
    }

    /// <summary>
    /// The filter counts the keys it hashes, not the log's operations: a keyspace change after the sixteenth key does
    /// not stop the seventeenth from taking every bit (the log's flag makes the check read it anyway, but the filter
    /// must not depend on that).
    /// </summary>
    [Fact]
    public void A_keyspace_change_does_not_count_as_a_key_of_the_filter()
    {
        var log = new TxLog(4096);
        for (var i = 0; i < KeyFilter.MostKeys; i++)
        {
            log.Put(1, BitConverter.GetBytes(i), "v"u8);
        }

        log.CreateKeyspace(2, "new"); // the log's seventeenth operation
        var (key, other) = Enumerable.Range(0, 1000).Select(i => BitConverter.GetBytes(-1 - i))
            .Select(candidate => (candidate, FilterOf(candidate))).First(c => !log.Keys.Overlaps(c.Item2));
        log.Put(1, key, "v"u8); // the seventeenth key, whose bit none of the first sixteen set
        Assert.True(log.Keys.Overlaps(other));

        static KeyFilter FilterOf(byte[] key)
        {
            var filter = default(KeyFilter);
            filter.Add(1, key);
            return filter;
        }
    }
}
