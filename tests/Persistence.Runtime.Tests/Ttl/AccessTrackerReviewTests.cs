using Persistence.Testing;
using Persistence.Tests.Collections;
using Persistence.Ttl;

namespace Persistence.Tests.Ttl;

/// <summary>
/// The sliding-expiration tracker against a commit that writes one key more than once: each write is reported, all at
/// the commit's version.
/// </summary>
public sealed class AccessTrackerReviewTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The second report of a key at the same version moved aside what the first left: the marker, with no read. The
    /// read the first report moved aside for the snapshots older than the commit was lost, and such a snapshot saw the
    /// document as expired though it was read within its lifetime.
    /// </summary>
    [Fact]
    public void A_second_report_of_a_key_at_the_same_version_keeps_the_read_moved_aside()
    {
        var tracker = new AccessTracker(() => 1).WithFloor(0);
        byte[] key = [1];
        var at5 = Start + TimeSpan.FromSeconds(5);
        tracker.Record(key, at5, snapshot: 1);
        tracker.Written(key, 2);
        tracker.Written(key, 2); // the same commit writes the key again

        Assert.Equal(at5, tracker.LatestAccess(key, 1));
        Assert.Null(tracker.LatestAccess(key, 2));

        var at6 = Start + TimeSpan.FromSeconds(6);
        tracker.Record(key, at6, snapshot: 2); // a read of what the commit wrote
        tracker.Written(key, 3);
        tracker.Written(key, 3);
        Assert.Equal(at6, tracker.LatestAccess(key, 2));
        Assert.Null(tracker.LatestAccess(key, 1)); // read a version older than the one the moved-aside read read
    }

    /// <summary>
    /// The same through a collection: a transaction that updates a user twice. A reader at 12 s of a snapshot older than
    /// it, where the user was read at 8 s (alive until 18 s), saw it as expired, its stored expiry (10 s) passed.
    /// </summary>
    [Fact]
    public void A_snapshot_older_than_a_commit_that_updates_a_document_twice_still_sees_it_read()
    {
        var time = new FakeTimeProvider(Start);
        using var db = AccessTrackerTests.UserReadAt8(time, out var users);
        var taken = db.Versions.Visible; // for a reader that begins at 12 s
        Assert.True(taken.TryPin());

        db.Write(tx =>
        {
            users.Update(new User { Id = 1, Email = "1@example.com", Name = "once" }, tx);
            users.Update(new User { Id = 1, Email = "1@example.com", Name = "twice" }, tx);
        });

        time.Advance(TimeSpan.FromSeconds(4));
        using var reader = new ReadTransaction(db, taken);
        Assert.Equal("", Assert.IsType<User>(users.Get(1, reader)).Name); // 12 s: the version read at 8 s
    }

    /// <summary>
    /// A flush marks the reads it took as written if they are still there as it took them, compared by value: a key
    /// whose read it took, written meanwhile, its marker forgotten once no older snapshot was open, and read again at the
    /// same time (the snapshot clock held at its high-water while the system clock is behind), held a new read with the
    /// same fields. The flush marked that read as written, though it wrote the extension onto the version the write
    /// replaced, and its prune then forgot it: the written version lost its read.
    /// </summary>
    [Fact]
    public void A_flush_leaves_a_read_of_a_key_forgotten_and_read_again_at_the_same_time_unwritten()
    {
        long oldest = 1;
        var tracker = new AccessTracker(() => oldest).WithFloor(0);
        byte[] key = [1];
        var at8 = Start + TimeSpan.FromSeconds(8);
        tracker.Record(key, at8, snapshot: 1);
        var pending = tracker.Snapshot(); // the flush takes the read and commits at 2

        tracker.Written(key, 3); // a write of the key, after the flush's commit
        oldest = 3;
        var version = 4L;
        for (var i = 0; i < AccessTracker.PruneMinimum; i++)
        {
            tracker.Written(BitConverter.GetBytes(i + 1_000), version++); // a look forgets the marker: nothing older than 3 is open
        }

        Assert.Null(tracker.LatestAccess(key, version));
        tracker.Record(key, at8, snapshot: version); // a read of the written version, at the same time
        tracker.Flushed(pending, durableFrom: 2);

        Assert.Equal(at8, tracker.LatestAccess(key, version));
        var (written, access) = Assert.Single(tracker.Snapshot()); // still to be written
        Assert.Equal(key, written);
        Assert.Equal(at8.UtcTicks, access.Ticks);
    }
}
