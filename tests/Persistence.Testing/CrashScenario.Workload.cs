using System.Runtime.ExceptionServices;
using Persistence.Transactions;

namespace Persistence.Testing;

public sealed partial class CrashScenario
{
    /// <summary>Transactions that commit, at most, while one checkpoint is held (<see cref="CheckpointWhileCommitsLand"/>).</summary>
    private const int LandingCommits = 3;

    /// <summary>The fsyncs of the meta pages of checkpoints that commits landed during (filled while profiling).</summary>
    private List<long>? _heldMetaSyncs;

    /// <summary>
    /// When the workload does what besides committing: transactions <see cref="First"/> to <see cref="First"/> +
    /// <see cref="Count"/> − 1 are committed in order, and after the i-th of them (counting from 0) it checkpoints when
    /// (i + <see cref="CheckpointPhase"/>) is a multiple of <see cref="CheckpointEvery"/>, shrinks when (i + 1) is a
    /// multiple of <see cref="ShrinkEvery"/> or i is <see cref="ShrinkAt"/>, backs up to <see cref="BackupPath"/> when
    /// i is <see cref="BackupAt"/>, and closes and reopens the database cleanly when i is <see cref="ReopenAt"/>. A
    /// checkpoint after transaction <see cref="LandAfter"/> (−1: none) runs while the next transactions commit, up to
    /// <see cref="LandingCommits"/> of them (<see cref="CheckpointWhileCommitsLand"/>), when the first of them can.
    /// </summary>
    private sealed record Schedule(int First, int Count, int CheckpointEvery, int CheckpointPhase, int ShrinkEvery, int ShrinkAt, int BackupAt, string BackupPath, int ReopenAt, int LandAfter = -1);

    /// <summary>What a run of the workload did before it stopped.</summary>
    /// <param name="Acknowledged">Commits acknowledged (durable or buffered), counted from the first transaction of all.</param>
    /// <param name="DurableFloor">Commits that must survive a power failure: up to the last one acknowledged as durable, or made durable by a checkpoint, a shrink or a clean close.</param>
    /// <param name="Attempted">Commits the state can hold at most: up to the last transaction whose commit began.</param>
    /// <param name="Backups">Backups that returned, with the number of commits their snapshot holds.</param>
    private sealed record WorkloadResult(int Acknowledged, int DurableFloor, int Attempted, IReadOnlyList<(string Path, int State)> Backups, Exception? Error);

    /// <summary>
    /// The first run's schedule: a checkpoint every 7 commits, a shrink every 25, a backup after a third and a clean
    /// reopen halfway, after which commits land while checkpoints run. The half before the reopen performs the same
    /// operations as before checkpoints were ever held, so crash points printed for it (RecoveryCrashTests' chains)
    /// still name the same operations.
    /// </summary>
    private Schedule FirstSchedule() => new(0, _commits, 7, 1, 25, -1, _commits / 3, BackupPrefix + "1.db", _commits / 2, LandAfter: _commits / 2);

    /// <summary>Runs the schedule on <paramref name="fs"/>, opening the database, or continuing on <paramref name="open"/>.</summary>
    private WorkloadResult Run(SimulatedFileSystem fs, Schedule schedule, Database? open = null, int durableFloor = 0)
    {
        _current = open;
        SpilledPages = 0;
        Exception? error = null;
        var acknowledged = schedule.First;
        var attempted = schedule.First;
        var backups = new List<(string, int)>();
        var db = open;
        try
        {
            db = _current = db ?? OpenForWork(fs);
            var landings = 0;
            for (var i = 0; i < schedule.Count; i++)
            {
                Commit(schedule.First + i);
                if ((i + schedule.CheckpointPhase) % schedule.CheckpointEvery == 0)
                {
                    var covered = acknowledged;
                    if (i > schedule.LandAfter && schedule.LandAfter >= 0 && !HasMoreWork(schedule, i) && CanLand(schedule, i + 1))
                    {
                        var at = i;
                        i += CheckpointWhileCommitsLand(fs, db, beforeMeta: landings++ % 2 == 0, () => Land(at));
                    }
                    else
                    {
                        db.Checkpoint();
                    }

                    durableFloor = Math.Max(durableFloor, covered); // a commit that landed meanwhile may be durable too
                }

                if ((i + 1) % schedule.ShrinkEvery == 0 || i == schedule.ShrinkAt)
                {
                    db.Shrink();
                    durableFloor = acknowledged;
                }

                if (i == schedule.BackupAt)
                {
                    db.Backup(schedule.BackupPath);
                    backups.Add((schedule.BackupPath, acknowledged));
                }

                if (i == schedule.ReopenAt)
                {
                    SpilledPages += db.Checkpointer!.PagesSpilled;
                    db.Dispose(); // a clean close and reopen in the middle
                    durableFloor = db.IsReadOnly ? durableFloor : acknowledged; // closing does not throw: a failure shows as read-only
                    db = _current = null; // a fault while it opens belongs to no instance: the open throws, and nothing can write
                    db = _current = OpenForWork(fs);
                }
            }

            void Commit(int t)
            {
                using (var tx = db.BeginWrite(_durability[t]))
                {
                    foreach (var (isPut, keyspace, key, value) in _transactions[t])
                    {
                        var ks = tx.GetOrCreateKeyspace(keyspace);
                        if (isPut)
                        {
                            tx.Put(ks, key, value);
                        }
                        else
                        {
                            tx.Delete(ks, key);
                        }
                    }

                    attempted = t + 1;
                    tx.Commit();
                }

                acknowledged = t + 1;
                _acknowledgedAt?.Add(fs.Operations);
                durableFloor = _durability[t] == Durability.Durable ? acknowledged : durableFloor;
            }

            // The transactions after the i-th that commit while the checkpoint after it is held: those that can, in
            // order.
            int Land(int i)
            {
                var landed = 0;
                while (landed < LandingCommits && CanLand(schedule, i + 1 + landed))
                {
                    Commit(schedule.First + i + 1 + landed);
                    landed++;
                }

                return landed;
            }
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            try
            {
                SpilledPages += db?.Checkpointer?.PagesSpilled ?? 0;
                db?.Dispose();
                durableFloor = error is null && db is { IsReadOnly: false } ? acknowledged : durableFloor; // a clean close makes everything durable
            }
            catch (Exception ex)
            {
                error ??= ex;
            }
        }

        return new WorkloadResult(acknowledged, durableFloor, attempted, backups, error);
    }

    /// <summary>Whether the schedule shrinks, backs up or reopens after its i-th transaction.</summary>
    private static bool HasMoreWork(Schedule schedule, int i) =>
        (i + 1) % schedule.ShrinkEvery == 0 || i == schedule.ShrinkAt || i == schedule.BackupAt || i == schedule.ReopenAt;

    /// <summary>
    /// Whether the schedule's i-th transaction may commit while a checkpoint is held: the schedule does nothing else
    /// after it (no checkpoint either), and it never takes the checkpoint lock that the held checkpoint holds. A
    /// transaction moved to a private tree (more than <see cref="WriteOverlay.PromoteAfter"/> writes, or a new
    /// keyspace) writes its leaves out early under that lock, and would wait for the checkpoint forever.
    /// </summary>
    private bool CanLand(Schedule schedule, int i)
    {
        if (i >= schedule.Count || HasMoreWork(schedule, i) || (i + schedule.CheckpointPhase) % schedule.CheckpointEvery == 0)
        {
            return false;
        }

        var t = schedule.First + i;
        return _transactions[t].Count <= WriteOverlay.PromoteAfter && _transactions[t].All(op => _createdBy[op.Keyspace] < t);
    }

    /// <summary>
    /// Runs a checkpoint on another thread and holds it, after it chose its version, right before its first write to
    /// the data file (no page written yet) or, with <paramref name="beforeMeta"/>, right before its first fsync of it
    /// (every page written, the meta page not), while <paramref name="land"/> commits transactions on this thread;
    /// returns how many it committed. The checkpoint then writes a meta page that does not cover the newest commits, as
    /// a background checkpoint's often does not, but a sequential one's never did: a process that dies before that meta
    /// page is synced leaves commits in the log after it, and the reopen replays them, writing leaves early to pages
    /// that the unsynced meta page freed (where a power failure before the reopen syncs the data file finds the older
    /// checkpoint's pages overwritten, unless the open made the meta page durable before replaying anything). The two
    /// threads never perform storage operations at the same time, so a crash point names the same operation on every
    /// run.
    /// </summary>
    private int CheckpointWhileCommitsLand(SimulatedFileSystem fs, Database db, bool beforeMeta, Func<int> land)
    {
        using var reached = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var held = false;
        long? metaSync = null;
        Exception? failed = null;
        var checkpoint = new Thread(() =>
        {
            try
            {
                db.Checkpoint();
            }
            catch (Exception ex)
            {
                failed = ex;
            }
            finally
            {
                reached.Set(); // it ran to the end without reaching the hold (a power failure before it, say)
            }
        })
        {
            IsBackground = true,
            Name = "held checkpoint",
        };
        var dataFile = System.IO.Path.GetFullPath(Path);
        var holdAt = beforeMeta ? FaultKind.Flush : FaultKind.Write;
        fs.BeforeCounted = (kind, path) =>
        {
            if (Environment.CurrentManagedThreadId != checkpoint.ManagedThreadId || path != dataFile)
            {
                return;
            }

            if (held && kind == FaultKind.Flush)
            {
                // Released: this thread alone performs operations now, so this is the index the fsync gets. The last
                // one is the meta page's.
                metaSync = fs.Operations;
            }

            if (!held && kind == holdAt)
            {
                held = true;
                reached.Set();
                if (!release.Wait(TimeSpan.FromMinutes(2)))
                {
                    // A commit that landed waits for the checkpoint: a deadlock of the harness (CanLand let through a
                    // transaction that takes the checkpoint lock), which must not pass for a hang of the engine.
                    Environment.FailFast("CrashScenario: a commit landing while a checkpoint was held waited for that checkpoint.");
                }
            }
        };

        var landed = 0;
        try
        {
            checkpoint.Start();
            reached.Wait();
            landed = held ? land() : 0;
        }
        finally
        {
            release.Set();
            checkpoint.Join();
            fs.BeforeCounted = null;
        }

        if (failed is not null)
        {
            ExceptionDispatchInfo.Throw(failed); // as the checkpoint would have thrown on this thread
        }

        if (landed > 0 && metaSync is { } sync)
        {
            _heldMetaSyncs?.Add(sync);
        }

        return landed;
    }

    /// <summary>Opens the database the workload writes to.</summary>
    private static Database OpenForWork(SimulatedFileSystem fs) => Database.Open(Path, Options(new FakeTimeProvider()), fs);
}
