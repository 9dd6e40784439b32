using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests.Ttl;

/// <summary>
/// The snapshot clock never goes back within a run; these check that it does not go back across a restart either: a
/// document hidden as expired stays hidden when the database reopens with the wall clock set back.
/// </summary>
public sealed class ClockHighWaterTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static DatabaseOptions Options(FakeTimeProvider time)
    {
        var options = TestDatabases.Small();
        options.TimeProvider = time;
        options.Ttl.RunCollectorInBackground = false;
        return options;
    }

    [Fact]
    public void A_clean_close_remembers_the_clock_and_the_reopen_starts_there()
    {
        var time = new FakeTimeProvider(Start);
        var fs = new SimulatedFileSystem();
        using (var db = TestDatabases.Open(fs, Options(time)))
        {
            new UserCollection(db).Insert(new User { Id = 1, Email = "a@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(10) });
            time.Advance(TimeSpan.FromSeconds(20));
            Assert.Null(new UserCollection(db).Get(1));
        }

        time.SetUtcNow(Start); // the machine restarts with its clock 20 seconds behind
        using var reopened = TestDatabases.Open(fs, Options(time));
        var users = new UserCollection(reopened);
        Assert.Null(users.Get(1));
        Assert.Equal(0, users.Count());
        using var read = reopened.BeginRead();
        Assert.Equal(Start + TimeSpan.FromSeconds(20), read.SnapshotTime);
    }

    [Fact]
    public void A_session_of_reads_alone_records_its_clock_at_close()
    {
        var time = new FakeTimeProvider(Start);
        var fs = new SimulatedFileSystem();
        using (var db = TestDatabases.Open(fs, Options(time)))
        {
            new UserCollection(db).Insert(new User { Id = 1, Email = "a@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(10) });
        }

        time.SetUtcNow(Start + TimeSpan.FromSeconds(20));
        using (var db = TestDatabases.Open(fs, Options(time)))
        {
            Assert.Null(new UserCollection(db).Get(1)); // no commit in this session: only the clock moved
        }

        time.SetUtcNow(Start);
        using var reopened = TestDatabases.Open(fs, Options(time));
        Assert.Null(new UserCollection(reopened).Get(1));
    }

    [Fact]
    public async Task Reads_alone_record_the_clock_once_an_interval_so_a_crash_loses_at_most_the_last_interval()
    {
        var time = new FakeTimeProvider(Start);
        var fs = new SimulatedFileSystem();
        var options = Options(time);
        options.CheckpointInterval = TimeSpan.FromMinutes(1);
        var db = TestDatabases.Open(fs, options);
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(10) });
        db.Checkpoint();
        var checkpoints = db.Checkpointer!.Completed;

        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Null(users.Get(1)); // hands out Start + 20 s
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(checkpoints, db.Checkpointer.Completed); // no commit, and the interval has not passed

        time.Advance(TimeSpan.FromSeconds(40)); // the interval passed: the background checkpointer records the clock
        var recorded = (Start + TimeSpan.FromSeconds(20)).UtcTicks;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (db.Checkpointer.Durable.ClockHighWaterTicks < recorded && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal(recorded, db.Checkpointer.Durable.ClockHighWaterTicks);
        var image = fs.AfterCrash(CrashMode.DropUnsynced, new Random(1));
        db.Dispose();

        time.SetUtcNow(Start);
        using var recovered = TestDatabases.Open(image, Options(time));
        Assert.Null(new UserCollection(recovered).Get(1));
    }

    /// <summary>
    /// The clock is recorded for reads alone only where it hides something: a database without an expiring collection
    /// that is only read writes no checkpoint once an interval (it used to write a meta page every minute for nothing).
    /// </summary>
    [Fact]
    public void Reads_alone_are_recorded_only_once_a_collection_with_expiring_documents_is_bound()
    {
        var time = new FakeTimeProvider(Start);
        var options = Options(time);
        options.CheckpointInterval = TimeSpan.FromMinutes(1);
        options.BackgroundWork = false;
        using var db = TestDatabases.Open(new SimulatedFileSystem(), options);
        var keyspace = db.Write(tx => tx.CreateKeyspace("plain"));
        db.Write(tx => tx.Put(keyspace, TestDatabases.Bytes("k"), TestDatabases.Bytes("v")));
        db.Checkpoint();

        time.Advance(TimeSpan.FromMinutes(2));
        using (var read = db.BeginRead())
        {
            Assert.NotNull(read.Get(keyspace, TestDatabases.Bytes("k"))); // hands out a later snapshot time
        }

        Assert.False(db.Checkpointer!.IsDue());

        var users = new UserCollection(db); // expiring documents: the clock now hides what expired
        users.Insert(new User { Id = 1, Email = "a@example.com", ExpiresAt = Start + TimeSpan.FromDays(1) });
        db.Checkpoint();
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.NotNull(users.Get(1)); // its expiry check reads the clock
        Assert.True(db.Checkpointer.IsDue());
    }

    [Fact]
    public void A_backup_carries_the_clock_so_its_copy_hides_what_the_source_hid()
    {
        var time = new FakeTimeProvider(Start);
        var fs = new SimulatedFileSystem();
        using (var db = TestDatabases.Open(fs, Options(time)))
        {
            new UserCollection(db).Insert(new User { Id = 1, Email = "a@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(10) });
            new UserCollection(db).Insert(new User { Id = 2, Email = "b@example.com" });
            time.Advance(TimeSpan.FromSeconds(20));
            Assert.Null(new UserCollection(db).Get(1)); // expired, not collected: the backup copies its entries
            time.SetUtcNow(Start + TimeSpan.FromSeconds(5)); // the clock jumps back while the source runs
            Assert.Null(new UserCollection(db).Get(1));
            db.Backup("/sim/copy.db");
        }

        using var copy = TestDatabases.Open(fs, Options(time), "/sim/copy.db");
        var users = new UserCollection(copy);
        Assert.Null(users.Get(1));
        Assert.NotNull(users.Get(2));
    }
}
