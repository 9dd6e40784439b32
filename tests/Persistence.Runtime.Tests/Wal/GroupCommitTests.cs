using Persistence.Testing;
using Persistence.Wal;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Wal;

public sealed class GroupCommitTests
{
    /// <summary>
    /// While one commit's fsync is held, others queue; releasing it lets them all complete in the next batch, with
    /// one fsync between them, and none is visible to readers before its batch is durable.
    /// </summary>
    [Fact]
    public async Task Commits_that_arrive_during_an_fsync_share_the_next_one()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var syncsBefore = db.Wal!.Syncs;
        using var inFlush = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        HoldFirstLogSync(fs, inFlush, release);

        const int followers = 8;
        Task first = Task.CompletedTask;
        var rest = Array.Empty<Task>();
        try
        {
            first = BlockingWork.Run(() => db.Write(tx => tx.Put(ks, Bytes("first"), Bytes("1"))));
            Assert.True(inFlush.Wait(TimeSpan.FromSeconds(60)), "the first commit never reached its fsync"); // a bound on a busy machine, not a timing
            using (var read = db.BeginRead())
            {
                Assert.False(read.ContainsKey(ks, Bytes("first"))); // written but not durable: not visible yet
            }

            var commitsBefore = db.GetStatistics().Commits;
            var copiesBefore = db.Sequencer.NodeCopies;
            rest = Enumerable.Range(0, followers).Select(i => BlockingWork.Run(() => db.Write(tx => tx.Put(ks, Bytes($"f{i}"), Bytes("1"))))).ToArray();
            while (db.GetStatistics().Commits < commitsBefore + followers)
            {
                await Task.Delay(1);
            }

            using (var read = db.BeginRead())
            {
                Assert.Equal(0, read.Count(ks)); // queued commits are invisible until their batch is durable
            }

            // The followers joined one unclaimed batch: after the first, each changed the previous one's new nodes in
            // place instead of copying the path again.
            Assert.True(db.Sequencer.NodeCopies - copiesBefore <= 2, $"{db.Sequencer.NodeCopies - copiesBefore} node copies for {followers} queued commits");
        }
        finally
        {
            release.Set(); // also when an assertion failed: a held commit would keep Dispose waiting
        }

        await Task.WhenAll(rest.Append(first));
        Assert.Equal(2, db.Wal.Syncs - syncsBefore);
        Assert.True(db.Wal.MaxBatchesWaited <= 2);
        using (var read = db.BeginRead())
        {
            Assert.Equal(followers + 1, read.Count(ks));
        }

        AssertConsistent(db);
    }

    [Fact]
    public void Buffered_commits_are_acknowledged_without_fsync_and_synced_by_the_timer()
    {
        var fs = new SimulatedFileSystem();
        var time = new FakeTimeProvider();
        using var db = TestDatabases.Open(fs, Small(time));
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var syncs = db.Wal!.Syncs;
        for (var i = 0; i < 10; i++)
        {
            db.Write(tx => tx.Put(ks, [(byte)i], [(byte)i]), durability: Durability.Buffered);
        }

        Assert.Equal(syncs, db.Wal.Syncs);
        using (var read = db.BeginRead())
        {
            Assert.Equal(10, read.Count(ks)); // buffered commits are visible once written
        }

        // A power failure now may lose them (but never part of one).
        using (var lost = TestDatabases.Open(fs.AfterCrash(CrashMode.DropUnsynced, new Random(1))))
        using (var read = lost.BeginRead())
        {
            Assert.Equal(0, read.Count(read.GetKeyspace("k")));
        }

        time.Advance(TimeSpan.FromMilliseconds(150));
        SpinWait.SpinUntil(() => db.Wal.Syncs > syncs, TimeSpan.FromSeconds(10));
        Assert.Equal(syncs + 1, db.Wal.Syncs);
        using var survived = TestDatabases.Open(fs.AfterCrash(CrashMode.DropUnsynced, new Random(1)));
        using var after = survived.BeginRead();
        Assert.Equal(10, after.Count(after.GetKeyspace("k")));
    }

    [Fact]
    public void A_durable_commit_makes_earlier_buffered_commits_durable()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs, Small(new FakeTimeProvider()));
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx => tx.Put(ks, Bytes("buffered"), Bytes("1")), durability: Durability.Buffered);
        db.Write(tx => tx.Put(ks, Bytes("durable"), Bytes("1")));
        using var crashed = TestDatabases.Open(fs.AfterCrash(CrashMode.DropUnsynced, new Random(1)));
        using var read = crashed.BeginRead();
        Assert.True(read.ContainsKey(read.GetKeyspace("k"), Bytes("buffered")));
        Assert.True(read.ContainsKey(read.GetKeyspace("k"), Bytes("durable")));
    }

    /// <summary>
    /// A leader about to sync waits for the open writers that have not queued yet: two transactions are open, the first
    /// commits and its leader waits; the second's commit joins it, and one sync covers both. The windows are long here so
    /// that the test does not depend on timing.
    /// </summary>
    [Fact]
    public async Task A_leader_waits_for_open_writers_to_share_its_sync()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Wal!.GatherWindow = db.Wal.GatherStall = TimeSpan.FromSeconds(60);
        var syncs = db.Wal.Syncs;
        var gathered = db.Wal.Gathered;
        var first = db.BeginWrite(Durability.Durable);
        var second = db.BeginWrite(Durability.Durable);
        first.Put(ks, Bytes("first"), Bytes("1"));
        second.Put(ks, Bytes("second"), Bytes("2"));
        var committing = BlockingWork.Run(first.Commit);
        Assert.True(SpinWait.SpinUntil(() => db.Wal.Gathered > gathered, TimeSpan.FromSeconds(60)), "the leader did not wait for the open writer");
        Assert.False(committing.IsCompleted);
        await BlockingWork.Run(second.Commit);
        await committing;
        first.Dispose();
        second.Dispose();
        Assert.Equal(syncs + 1, db.Wal.Syncs);
        using var crashed = TestDatabases.Open(fs.AfterCrash(CrashMode.DropUnsynced, new Random(1)));
        using var read = crashed.BeginRead();
        Assert.Equal(2, read.Count(read.GetKeyspace("k")));
    }

    /// <summary>
    /// No wait without another open writer, nor for a batch holding a buffered commit (gathering would mostly collect
    /// buffered commits, which share no sync): with windows of seconds, either wait would show.
    /// </summary>
    [Fact]
    public void A_lone_writer_and_a_buffered_commit_do_not_wait()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Wal!.GatherWindow = db.Wal.GatherStall = TimeSpan.FromSeconds(2);
        var gathered = db.Wal.Gathered;
        db.Write(tx => tx.Put(ks, Bytes("alone"), Bytes("1")));
        using (var open = db.BeginWrite())
        {
            db.Write(tx => tx.Put(ks, Bytes("buffered"), Bytes("2")), durability: Durability.Buffered);
        }

        Assert.Equal(gathered, db.Wal.Gathered);
    }

    /// <summary>
    /// An open buffered transaction is not waited for: its commit shares no sync. With windows of seconds, a wait would
    /// show.
    /// </summary>
    [Fact]
    public void A_durable_commit_beside_an_open_buffered_transaction_does_not_wait()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Wal!.GatherWindow = db.Wal.GatherStall = TimeSpan.FromSeconds(2);
        var gathered = db.Wal.Gathered;
        using (var buffered = db.BeginWrite(Durability.Buffered))
        {
            buffered.Put(ks, Bytes("buffered"), Bytes("1"));
            db.Write(tx => tx.Put(ks, Bytes("durable"), Bytes("2")));
        }

        Assert.Equal(gathered, db.Wal.Gathered);
    }

    /// <summary>
    /// A durable commit queued with a buffered one does not wait either: while a sync is held, a buffered and a durable
    /// commit queue, and two other durable transactions stay open; the batch that takes them both claims at once.
    /// </summary>
    [Fact]
    public async Task A_batch_mixing_buffered_and_durable_commits_does_not_wait()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        using var inFlush = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        HoldFirstLogSync(fs, inFlush, release);

        Task first = Task.CompletedTask, buffered = Task.CompletedTask, durable = Task.CompletedTask;
        var gathered = 0L;
        using var open = db.BeginWrite(); // never commits
        using var other = db.BeginWrite(); // nor this: more durable writers are open than commits queue
        try
        {
            first = BlockingWork.Run(() => db.Write(tx => tx.Put(ks, Bytes("first"), Bytes("1"))));
            Assert.True(inFlush.Wait(TimeSpan.FromSeconds(60)), "the first commit never reached its sync"); // a bound on a busy machine, not a timing
            var commits = db.GetStatistics().Commits;
            buffered = BlockingWork.Run(() => db.Write(tx => tx.Put(ks, Bytes("buffered"), Bytes("2")), durability: Durability.Buffered));
            durable = BlockingWork.Run(() => db.Write(tx => tx.Put(ks, Bytes("durable"), Bytes("3"))));
            while (db.GetStatistics().Commits < commits + 2)
            {
                await Task.Delay(1);
            }

            db.Wal!.GatherWindow = db.Wal.GatherStall = TimeSpan.FromSeconds(2);
            gathered = db.Wal.Gathered;
        }
        finally
        {
            release.Set();
        }

        await Task.WhenAll(first, buffered, durable);
        Assert.Equal(gathered, db.Wal.Gathered);
    }

    /// <summary>
    /// The window bounds a gathering leader even while commits keep arriving: here one arrives each time the leader
    /// looks at the open writers (a flood of writers, more open than queued), and the stall never ends the wait. Before,
    /// the window was checked only on a look that saw no new arrival, so such a stream kept the batch unclaimed, and
    /// every commit in it unacknowledged, for as long as the stream lasted.
    /// </summary>
    [Fact]
    public async Task A_stream_of_arrivals_does_not_stretch_the_gather_window()
    {
        var fs = new SimulatedFileSystem();
        using var segments = new WalSegments(fs, "/sim/gather.db-wal/", 64 << 10, _ => { }, prepareInBackground: false);
        var stop = 0;
        var arrivals = new List<CommitRequest>();
        WalWriter? wal = null;
        wal = new WalWriter(segments, 0, 0, _ => { }, _ => { }, () => { })
        {
            OpenWriters = () =>
            {
                if (Volatile.Read(ref stop) != 0)
                {
                    return 0;
                }

                arrivals.Add(wal!.SubmitSync()); // the leader alone calls this
                return int.MaxValue;
            },
        };
        wal.GatherWindow = TimeSpan.FromMilliseconds(50);
        wal.GatherStall = TimeSpan.FromHours(1);
        var leading = BlockingWork.Run(() => wal.Wait(wal.SubmitSync()));
        bool claimed;
        try
        {
            claimed = await Task.WhenAny(leading, Task.Delay(TimeSpan.FromSeconds(10))) == leading; // a 50 ms window: a bound on a busy machine, not a timing
        }
        finally
        {
            Volatile.Write(ref stop, 1); // ends the stream either way, so that a leader still gathering claims
        }

        await leading;
        Assert.True(claimed, $"the leader was still gathering after 10 s ({arrivals.Count} arrivals)");
        Assert.Equal(1, wal.Gathered);
        Assert.True(arrivals.TrueForAll(static r => r.IsDone));
    }

    /// <summary>
    /// The first sync of the log's first segment from now on signals <paramref name="inFlush"/> and waits for
    /// <paramref name="release"/>. That segment by name: the next one is prepared (and synced) in the background.
    /// </summary>
    internal static void HoldFirstLogSync(SimulatedFileSystem fs, ManualResetEventSlim inFlush, ManualResetEventSlim release)
    {
        var held = 0;
        fs.Fault = point =>
        {
            if (point.Kind == FaultKind.Flush && point.Path.EndsWith("0000000000000000.wal", StringComparison.Ordinal) && Interlocked.Exchange(ref held, 1) == 0)
            {
                inFlush.Set();
                release.Wait();
            }

            return null;
        };
    }
}
