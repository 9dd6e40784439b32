using Persistence.Testing;
using Persistence.Wal;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Transactions;

/// <summary>
/// The conflict check skips a later commit's log when its key filter shares no bit with the committing log's
/// (<see cref="KeyFilter"/>): every operation that can conflict must therefore show in the filter, or set the flag that
/// makes the log always read. Each test writes its shared key where a filter that forgot it would miss it: the shared
/// key is chosen so that its bit is none of the bits of the keys a log hashes before it, so a log that stopped hashing
/// without taking every bit, or an operation kept out of both the filter and the flag, lets a lost update commit.
/// </summary>
public sealed class KeyFilterConflictTests : IDisposable
{
    private readonly Database _db = Database.OpenInMemory();
    private readonly Keyspace _ks;

    public KeyFilterConflictTests()
    {
        _ks = _db.Write(tx => tx.CreateKeyspace("k"));
    }

    public void Dispose() => _db.Dispose();

    /// <summary>
    /// A log of more keys than its filter hashes (<see cref="KeyFilter.MostKeys"/>) conflicts on a key past the
    /// sixteenth, whichever side it is and whether it puts or deletes that key: its filter takes every bit. The large
    /// side commits first or second; with 2,000 keys it is a private tree adopted whole at its commit.
    /// </summary>
    [Theory]
    [InlineData(true, false, KeyFilter.MostKeys)]
    [InlineData(true, true, KeyFilter.MostKeys)]
    [InlineData(false, false, KeyFilter.MostKeys)]
    [InlineData(false, true, KeyFilter.MostKeys)]
    [InlineData(true, false, 2000)]
    [InlineData(false, true, 2000)]
    public void A_key_past_the_filters_sixteenth_conflicts(bool largeFirst, bool delete, int before)
    {
        var shared = SharedKeyAfter(Prefixed("bulk", KeyFilter.MostKeys));
        if (delete)
        {
            _db.Write(tx => tx.Put(_ks, shared, Bytes("0")));
        }

        using var small = _db.BeginWrite();
        using var large = _db.BeginWrite();
        Write(small, shared, delete, "small");
        foreach (var key in Prefixed("bulk", before))
        {
            large.Put(_ks, key, Bytes("large"));
        }

        Write(large, shared, delete, "large");
        Assert.True(large.LoggedOperations > KeyFilter.MostKeys);
        var (first, second) = largeFirst ? (large, small) : (small, large);
        first.Commit();
        Assert.Equal("k", Assert.Throws<WriteConflictException>(second.Commit).Keyspace);

        using var read = _db.BeginRead();
        Assert.Equal(delete ? null : largeFirst ? "large" : "small", read.Get(_ks, shared) is { } v ? Text(v) : null);
        AssertConsistent(_db);
    }

    /// <summary>
    /// A large commit whose log spilled to its scratch file, the shared key written there after thousands of others,
    /// conflicts with a one-key commit behind it: the filter is kept as the log is written, not read back from the file.
    /// </summary>
    [Fact]
    public void A_spilled_log_conflicts_on_a_key_written_after_it_spilled()
    {
        var options = Small();
        options.LogSpillBytes = 16 << 10;
        using var db = Open(new SimulatedFileSystem(), options);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var shared = SharedKeyAfter(Prefixed("bulk", KeyFilter.MostKeys), ks.Id);
        using var small = db.BeginWrite();
        small.Put(ks, shared, Bytes("small"));
        db.Write(tx =>
        {
            foreach (var key in Prefixed("bulk", 2000))
            {
                tx.Put(ks, key, new byte[100]);
            }

            tx.Put(ks, shared, Bytes("large"));
            Assert.True(tx.Log!.SpilledBytes > 0, "the large log did not spill: the test proves nothing");
        });

        Assert.Throws<WriteConflictException>(small.Commit);
        using var read = db.BeginRead();
        Assert.Equal("large", Text(read.Get(ks, shared)));
        AssertConsistent(db);
    }

    /// <summary>
    /// Keyspace changes, which the filter does not summarize, are read whichever side makes them: a later commit that
    /// drops the keyspace a writer put into, a writer that drops a keyspace a later commit deleted from, and two
    /// creations of one name, each with keys the other side's filter does not share (none, or a key of its own).
    /// </summary>
    [Theory]
    [InlineData("drop", "put")]
    [InlineData("put", "drop")]
    [InlineData("delete", "drop")]
    [InlineData("drop", "delete")]
    [InlineData("create", "create-and-put")]
    [InlineData("create-and-put", "create")]
    public void A_keyspace_change_conflicts_with_a_log_whose_filter_shares_nothing(string first, string second)
    {
        _db.Write(tx => tx.Put(_ks, Bytes("existing"), Bytes("0")));
        using var a = _db.BeginWrite();
        using var b = _db.BeginWrite();
        Apply(a, first, "a");
        Apply(b, second, "b");
        Assert.False(a.Log!.Keys.Overlaps(b.Log!.Keys), "the filters share a bit: the test would pass without the flag");
        a.Commit();
        Assert.Throws<WriteConflictException>(b.Commit);
        AssertConsistent(_db);
    }

    private void Apply(WriteTransaction tx, string op, string who)
    {
        switch (op)
        {
            case "drop":
                tx.DeleteKeyspace(_ks);
                break;
            case "put":
                tx.Put(_ks, Bytes($"new-{who}"), Bytes(who));
                break;
            case "delete":
                Assert.True(tx.Delete(_ks, Bytes("existing")));
                break;
            case "create":
                tx.CreateKeyspace("same");
                break;
            default:
                tx.Put(tx.CreateKeyspace("same"), Bytes($"in-same-{who}"), Bytes(who));
                break;
        }
    }

    private void Write(WriteTransaction tx, byte[] key, bool delete, string value)
    {
        if (delete)
        {
            Assert.True(tx.Delete(_ks, key));
        }
        else
        {
            tx.Put(_ks, key, Bytes(value));
        }
    }

    private static IEnumerable<byte[]> Prefixed(string prefix, int count) => Enumerable.Range(0, count).Select(i => Bytes($"{prefix}{i:D5}"));

    /// <summary>
    /// A key whose filter bit is none of <paramref name="earlier"/>'s (in <see cref="_ks"/>, or the keyspace given): a
    /// log that hashed only those keys would not overlap a log of this key alone.
    /// </summary>
    private byte[] SharedKeyAfter(IEnumerable<byte[]> earlier, int? keyspace = null)
    {
        var id = keyspace ?? _ks.Id;
        var filter = default(KeyFilter);
        foreach (var key in earlier)
        {
            filter.Add(id, key);
        }

        for (var i = 0; ; i++)
        {
            var candidate = Bytes($"shared{i}");
            var alone = default(KeyFilter);
            alone.Add(id, candidate);
            if (!alone.Overlaps(filter))
            {
                return candidate;
            }
        }
    }
}
