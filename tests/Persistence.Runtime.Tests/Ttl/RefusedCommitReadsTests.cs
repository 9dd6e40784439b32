using Persistence.Testing;
using Persistence.Tests.Collections;
using Persistence.Ttl;

namespace Persistence.Tests.Ttl;

/// <summary>
/// Sliding-expiration reads against a write of the document that is reported when it is sequenced and then refused by
/// the log (the database turns read-only, and the write's version never becomes visible).
/// </summary>
public sealed class RefusedCommitReadsTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The report of the refused update dropped the user's pending read (at 8 s, alive until 18 s) and ignored every
    /// read after it, all from snapshots older than the write: the user read as expired from its stored expiry (10 s) on,
    /// though the version those reads saw is the one that stayed. The read is now kept for the snapshots older than the
    /// write, and the reads made since slide it as before.
    /// </summary>
    [Fact]
    public void A_document_read_before_a_refused_write_of_it_stays_alive_and_keeps_sliding() =>
        AssertReadStaysAliveAndSlidesAfterRefused((_, users) => users.Upsert(new User { Id = 1, Email = "a@example.com", Name = "renamed" }));

    /// <summary>
    /// A refused commit that deletes the collection's documents keyspace cleared every pending read of it, and raised
    /// the tracker's floor past every snapshot, all older than the refused version: the user read as expired from its
    /// stored expiry (10 s) on, and no later read slid it, though every snapshot still sees the keyspace and the user. A
    /// refused drop now changes nothing any snapshot sees.
    /// </summary>
    [Fact]
    public void A_refused_drop_of_the_keyspace_leaves_the_pending_reads_and_the_sliding_as_they_were() =>
        AssertReadStaysAliveAndSlidesAfterRefused((db, users) => db.Write(tx => tx.DeleteKeyspace(users.Documents)));

    /// <summary>
    /// What keeps the refused case alive is sound: a read moved aside by a write serves only the snapshots older than
    /// the write, which see the version it read, and is never flushed onto the written version; a read from a snapshot
    /// older than the previous write, of a version older still, counts for neither.
    /// </summary>
    [Fact]
    public void A_write_moves_the_pending_read_aside_for_older_snapshots_only_and_it_is_never_flushed()
    {
        long oldest = 0;
        var tracker = new AccessTracker(() => oldest).WithFloor(0);
        byte[] key = [1];
        var at5 = Start + TimeSpan.FromSeconds(5);
        tracker.Record(key, at5, snapshot: 3);
        tracker.Written(key, 7);

        Assert.Equal(at5, tracker.LatestAccess(key, 6)); // sees the version read at 5 s
        Assert.Null(tracker.LatestAccess(key, 7)); // sees the write: nobody read it
        Assert.Empty(tracker.Snapshot()); // nothing to flush

        var at6 = Start + TimeSpan.FromSeconds(6);
        tracker.Record(key, at6, snapshot: 6); // another read of the replaced version
        Assert.Equal(at6, tracker.LatestAccess(key, 6));
        Assert.Empty(tracker.Snapshot());

        var at8 = Start + TimeSpan.FromSeconds(8);
        tracker.Record(key, at8, snapshot: 7); // a read of the written version
        Assert.Equal(at8, tracker.LatestAccess(key, 9));
        Assert.Equal(at6, tracker.LatestAccess(key, 6));
        Assert.Equal(at8.UtcTicks, Assert.Single(tracker.Snapshot()).Access.Ticks);

        tracker.Written(key, 9); // the reads of version 7 are moved aside; those of the version before go
        Assert.Equal(at8, tracker.LatestAccess(key, 8));
        Assert.Null(tracker.LatestAccess(key, 6));
        tracker.Record(key, Start + TimeSpan.FromSeconds(10), snapshot: 6);
        Assert.Null(tracker.LatestAccess(key, 6));
        Assert.Equal(at8, tracker.LatestAccess(key, 8));
        Assert.Empty(tracker.Snapshot());

        oldest = 9;
        tracker.Flushed([], durableFrom: 0); // no snapshot older than the write is open: the marker goes
        Assert.Equal(0, tracker.Count);
    }

    /// <summary>
    /// Reads the user at 8 s (alive until 18 s), has the log refuse <paramref name="write"/> (an fsync failure), and checks
    /// that the read still keeps the version every snapshot sees alive past its stored expiry (10 s), and that a read at
    /// 12 s slides it to 22 s.
    /// </summary>
    private static void AssertReadStaysAliveAndSlidesAfterRefused(Action<Database, UserCollection> write)
    {
        var time = new FakeTimeProvider(Start);
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs, Options(time));
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com" }); // stored expiry: 10 s
        time.Advance(TimeSpan.FromSeconds(8));
        Assert.NotNull(users.Get(1)); // alive until 18 s

        fs.Fault = p => p.Kind == FaultKind.Flush ? new IOException("injected fsync failure") : null;
        Assert.ThrowsAny<PersistenceException>(() => write(db, users));
        Assert.True(db.IsReadOnly);

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.True(users.Contains(1)); // 12 s: past the stored expiry, within the read's (Contains does not slide)
        Assert.Equal("", users.Get(1)!.Name); // the version read, not a refused one; read at 12 s: alive until 22 s
        time.SetUtcNow(Start + TimeSpan.FromSeconds(21.9));
        Assert.True(users.Contains(1));
        time.SetUtcNow(Start + TimeSpan.FromSeconds(22));
        Assert.False(users.Contains(1));
    }

    private static DatabaseOptions Options(TimeProvider time)
    {
        var options = TestDatabases.Small(time);
        options.Ttl.RunCollectorInBackground = false;
        options.Collections["users"] = new CollectionOptions { DefaultTimeToLive = TimeSpan.FromSeconds(10), SlidingExpiration = true };
        return options;
    }
}
