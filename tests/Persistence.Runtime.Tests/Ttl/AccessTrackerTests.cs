using Persistence.Testing;
using Persistence.Tests.Collections;
using Persistence.Ttl;

namespace Persistence.Tests.Ttl;

/// <summary>
/// The sliding-expiration tracker's memory with no pass ever run: a write leaves a marker for the snapshots older than
/// it, and only a flush forgot them, so with the collector off (and no host calling <see cref="Database.CollectExpiredAsync"/>)
/// every key ever written stayed in memory until the close.
/// </summary>
public sealed class AccessTrackerTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A thousand users inserted, read, updated and a third of them deleted, with no pass: the previous code kept an
    /// entry for each (1,000), where no snapshot needs any of them once its write is visible and nothing reads it.
    /// </summary>
    [Fact]
    public void With_the_collector_off_many_writes_and_reads_leave_the_tracker_bounded()
    {
        var time = new FakeTimeProvider(Start);
        using var db = TestDatabases.Open(new SimulatedFileSystem(), Options(time));
        var users = new UserCollection(db);
        var tracker = db.Ttl.Accesses(users.Documents);
        var most = 0;
        for (var id = 1; id <= 1_000; id++)
        {
            users.Insert(new User { Id = id, Email = $"{id}@example.com" });
            Assert.NotNull(users.Get(id)); // a read of the version inserted, pending: needed until flushed or written over
            users.Update(new User { Id = id, Email = $"{id}@example.com", Name = "renamed" }); // the read moves aside
            if (id % 3 == 0)
            {
                users.Delete(id);
            }

            most = Math.Max(most, tracker.Count);
        }

        Assert.InRange(most, 1, AccessTracker.PruneMinimum);

        // What is kept still slides: a read now (at 8 s) keeps the last user alive past its stored expiry (10 s).
        time.Advance(TimeSpan.FromSeconds(8));
        Assert.NotNull(users.Get(1_000));
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.True(users.Contains(1_000));
        Assert.False(users.Contains(999)); // deleted
        Assert.False(users.Contains(998)); // not read since 0 s: expired at 10 s
    }

    /// <summary>
    /// A write that looks for entries to forget keeps every one a snapshot still open may need: the read a write moved
    /// aside, for a snapshot older than that write, and a read not written yet, for good. It forgets the markers once
    /// no snapshot older than their writes is open.
    /// </summary>
    [Fact]
    public void A_write_forgets_only_the_entries_no_open_snapshot_needs()
    {
        long oldest = 1; // a snapshot at version 1 is open
        var tracker = new AccessTracker(() => oldest).WithFloor(0);
        byte[] movedAside = [1], pending = [2];
        var at5 = Start + TimeSpan.FromSeconds(5);
        var at6 = Start + TimeSpan.FromSeconds(6);
        tracker.Record(movedAside, at5, snapshot: 1);
        tracker.Written(movedAside, 2); // the read of version 1 serves the snapshot at 1
        tracker.Record(pending, at6, snapshot: 2);

        var version = 3L;
        for (var i = 0; i < AccessTracker.PruneMinimum; i++)
        {
            tracker.Written(BitConverter.GetBytes(i + 1_000), version++);
        }

        Assert.Equal(AccessTracker.PruneMinimum + 2, tracker.Count); // all needed by the snapshot at 1
        Assert.Equal(at5, tracker.LatestAccess(movedAside, 1));

        oldest = 1_000_000; // every snapshot older than the writes closed
        for (var i = 0; i < 4 * AccessTracker.PruneMinimum; i++)
        {
            tracker.Written(BitConverter.GetBytes(i + 10_000), version++);
            Assert.InRange(tracker.Count, 1, 2 * (AccessTracker.PruneMinimum + 2));
        }

        Assert.Null(tracker.LatestAccess(movedAside, 1)); // forgotten: no snapshot older than its write is open
        Assert.Equal(at6, tracker.LatestAccess(pending, version)); // not written yet: kept
        Assert.Equal(at6.UtcTicks, Assert.Single(tracker.Snapshot()).Access.Ticks);
    }

    /// <summary>
    /// A write's look runs under the commit sequencer's lock, which every writer of the database waits for, and it walked
    /// the whole tracker: with a hundred thousand reads not flushed yet (the collector off), one write in every so many
    /// walked them all while every commit of the database waited. A look now visits at most
    /// <see cref="AccessTracker.PruneVisits"/> entries and the next goes on from there: the markers no snapshot needs
    /// still go once the walk has gone round, and the reads not written yet stay.
    /// </summary>
    [Fact]
    public void A_write_visits_a_bounded_part_of_a_large_tracker_and_the_walk_goes_round()
    {
        long oldest = 1; // a snapshot at version 1 is open
        var tracker = new AccessTracker(() => oldest).WithFloor(0);
        const int Reads = 100_000, Markers = 10_000;
        var at5 = Start + TimeSpan.FromSeconds(5);
        for (var i = 0; i < Reads; i++)
        {
            tracker.Record(BitConverter.GetBytes(i), at5, snapshot: 1); // not written yet: needed for good
        }

        var version = 2L;
        for (var i = 0; i < Markers; i++)
        {
            tracker.Written(BitConverter.GetBytes(Reads + i), version++); // needed by the snapshot at 1
        }

        Assert.Equal(Reads + Markers, tracker.Count);
        Assert.InRange(tracker.MostVisitedByWrite, 1, AccessTracker.PruneVisits);

        // Every snapshot older than the writes closed. The writes from here on go to a few keys, so that what stays after
        // a walk round the tracker (a look every PruneMinimum writes) is the reads and those few markers.
        oldest = 1_000_000;
        const int Few = 16;
        var looks = ((Reads + Markers) / AccessTracker.PruneVisits) + 2;
        for (var i = 0; i < looks * AccessTracker.PruneMinimum; i++)
        {
            tracker.Written(BitConverter.GetBytes(-1 - (i % Few)), version++);
        }

        Assert.InRange(tracker.MostVisitedByWrite, 1, AccessTracker.PruneVisits);
        Assert.InRange(tracker.Count, Reads, Reads + Few);
        Assert.Equal(Reads, tracker.Snapshot().Count);
        Assert.Equal(at5, tracker.LatestAccess(BitConverter.GetBytes(Reads - 1), version));
    }

    /// <summary>
    /// A reader that took the visible version and pins it only after a write looked for entries to forget (its thread
    /// was preempted between the two) still finds the read a write moved aside for its snapshot. The oldest snapshot was
    /// the visible one or the oldest pinned, which misses such a reader: the look forgot the marker, the reader lost the
    /// read at 8 s and saw the user as expired at 12 s, its stored expiry (10 s) passed. The version the reader pins is
    /// not retired yet, and the look must keep what a snapshot of it needs. The interleaving is forced with a write
    /// observer, which runs while the commit is sequenced: the look runs before it, the publication after.
    /// </summary>
    [Fact]
    public void A_write_keeps_the_entries_of_a_version_a_reader_took_and_pins_only_after_the_look()
    {
        var time = new FakeTimeProvider(Start);
        using var db = UserReadAt8(time, out var users);

        var other = db.BeginRead(); // another holder of the visible version, which keeps it from retiring meanwhile
        var taken = db.Versions.Visible; // the reader has it, and has not pinned it yet
        users.Update(new User { Id = 1, Email = "1@example.com", Name = "renamed" }); // the read at 8 s moves aside for `taken`

        // One commit of more writes than a look waits for: the first write's report ends the other holder (nothing pins
        // `taken` when the look runs), the last one's pins it for the reader, after the look and before the publication.
        var batch = AccessTracker.PruneMinimum + 1;
        var reports = 0;
        var pinned = false;
        db.ObserveWrites(users.Documents, (_, _) =>
        {
            if (++reports == 1)
            {
                other.Dispose();
            }
            else if (reports == batch)
            {
                pinned = taken.TryPin();
            }
        });
        users.InsertMany(Enumerable.Range(2, batch).Select(id => new User { Id = id, Email = $"{id}@example.com" }));
        Assert.True(pinned);

        time.Advance(TimeSpan.FromSeconds(4));
        using var reader = new ReadTransaction(db, taken);
        Assert.NotNull(users.Get(1, reader)); // 12 s: the read at 8 s keeps the version it read alive until 18 s
    }

    /// <summary>
    /// A database (sliding expiration of 10 s for "users", the collector off) whose user 1 was inserted at 0 s and read
    /// at 8 s: alive until 18 s for every snapshot that sees that version. <paramref name="time"/> is then at 8 s.
    /// </summary>
    internal static Database UserReadAt8(FakeTimeProvider time, out UserCollection users)
    {
        var db = TestDatabases.Open(new SimulatedFileSystem(), Options(time));
        users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "1@example.com" }); // expires at 10 s
        time.Advance(TimeSpan.FromSeconds(8));
        Assert.NotNull(users.Get(1));
        return db;
    }

    private static DatabaseOptions Options(TimeProvider time)
    {
        var options = TestDatabases.Small(time);
        options.Ttl.RunCollectorInBackground = false;

        // A checkpoint pins the version it writes, and a look keeps every entry a snapshot at or after the oldest pinned
        // version may need: one on its own thread, still writing while hundreds of commits went by, made the look keep
        // all of them (425 entries on a 2-core machine), and the next look wait as many writes. Checkpoints run on demand.
        options.BackgroundWork = false;
        options.Collections["users"] = new CollectionOptions { DefaultTimeToLive = TimeSpan.FromSeconds(10), SlidingExpiration = true };
        return options;
    }
}
