namespace Persistence.Testing;

public sealed partial class CrashScenario
{
    /// <summary>
    /// When the workload does what besides committing: transactions <see cref="First"/> to <see cref="First"/> +
    /// <see cref="Count"/> − 1 are committed in order, and after the i-th of them (counting from 0) it checkpoints when
    /// (i + <see cref="CheckpointPhase"/>) is a multiple of <see cref="CheckpointEvery"/>, shrinks when (i + 1) is a
    /// multiple of <see cref="ShrinkEvery"/> or i is <see cref="ShrinkAt"/>, backs up to <see cref="BackupPath"/> when
    /// i is <see cref="BackupAt"/>, and closes and reopens the database cleanly when i is <see cref="ReopenAt"/>.
    /// </summary>
    private sealed record Schedule(int First, int Count, int CheckpointEvery, int CheckpointPhase, int ShrinkEvery, int ShrinkAt, int BackupAt, string BackupPath, int ReopenAt);

    /// <summary>What a run of the workload did before it stopped.</summary>
    /// <param name="Acknowledged">Commits acknowledged (durable or buffered), counted from the first transaction of all.</param>
    /// <param name="DurableFloor">Commits that must survive a power failure: up to the last one acknowledged as durable, or made durable by a checkpoint, a shrink or a clean close.</param>
    /// <param name="Attempted">Commits the state can hold at most: up to the last transaction whose commit began.</param>
    /// <param name="Backups">Backups that returned, with the number of commits their snapshot holds.</param>
    private sealed record WorkloadResult(int Acknowledged, int DurableFloor, int Attempted, IReadOnlyList<(string Path, int State)> Backups, Exception? Error);

    /// <summary>The first run's schedule: a checkpoint every 7 commits, a shrink every 25, a backup after a third and a clean reopen halfway.</summary>
    private Schedule FirstSchedule() => new(0, _commits, 7, 1, 25, -1, _commits / 3, BackupPrefix + "1.db", _commits / 2);

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
            for (var i = 0; i < schedule.Count; i++)
            {
                var t = schedule.First + i;
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
                if ((i + schedule.CheckpointPhase) % schedule.CheckpointEvery == 0)
                {
                    db.Checkpoint();
                    durableFloor = acknowledged;
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

    /// <summary>Opens the database the workload writes to.</summary>
    private static Database OpenForWork(SimulatedFileSystem fs) => Database.Open(Path, Options(new FakeTimeProvider()), fs);
}
