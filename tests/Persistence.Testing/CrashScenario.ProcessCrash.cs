namespace Persistence.Testing;

/// <summary>
/// The two-phase kind: the process dies at one storage operation (the machine stays up, so its unsynced writes and
/// unsynced name changes stay in the operating system's cache, <see cref="SimulatedFileSystem.AfterProcessCrash"/>),
/// the database is reopened (recovery replays the log, writes leaves out, clears the log's tail), commits more,
/// checkpoints, shrinks and backs up, and then the power fails at another operation, which may take every write
/// never synced, those left from before the process crash included.
/// </summary>
public sealed partial class CrashScenario
{
    /// <summary>Transactions the reopened database of the two-phase kind commits (generated after the first run's).</summary>
    public const int AfterProcessCrashCommits = 24;

    /// <summary>
    /// What happens at the two-phase kind's first point instead of the process dying there: the fsync at that point
    /// fails as Linux fails one (<see cref="SimulatedFileSystem.FailWriteback"/>: the writes it should have made durable
    /// stay readable in the cache, marked clean, and no later fsync writes them), the database turns read-only and the
    /// workload stops; the process then exits and a new one reopens the files the cache still holds. A point that is
    /// not an fsync fails nothing, and the workload runs to its end.
    /// </summary>
    public FailedSyncRestart FailSyncAtProcessCrash { get; init; }

    /// <summary>The files the last process crash left and what the first run did (the first run is the same for every power failure after it).</summary>
    private (long At, SimulatedFileSystem Image, WorkloadResult Run)? _processCrash;

    /// <summary>
    /// The workload's fsyncs: of the data file, those of them that sync the meta page of a checkpoint that commits
    /// landed during, and every other fsync (<see cref="NextProcessCrashPoint"/>).
    /// </summary>
    private (List<long> Data, List<long> HeldMeta, List<long> Other, long Total)? _syncs;

    /// <summary>The operations of the reopened database after the last process crash counted, and how many of them the open performed.</summary>
    private (long At, OperationLog Log, long Open)? _afterProcessCrash;

    /// <summary>
    /// A process crash point drawn with <paramref name="random"/>, by <paramref name="turn"/> modulo 3: anywhere in the
    /// workload, at an fsync of the data file (a checkpoint's pages, or its meta page, are then written and not
    /// synced), or at another fsync (a commit's frames, a prepared segment, a backup's files). Every second fsync of
    /// the data file (<paramref name="turn"/> modulo 6 is 4) is the meta page's of a checkpoint that commits landed
    /// during (<see cref="CheckpointWhileCommitsLand"/>): the process dies with a meta page in the cache that the log
    /// has commits after, and the reopen replays them on that meta page's word, writing leaves early to pages it freed.
    /// A uniform draw among the data file's fsyncs lands there about one time in ten (five of some fifty).
    /// </summary>
    public long NextProcessCrashPoint(Random random, int turn)
    {
        if (_syncs is not { } syncs)
        {
            IReadOnlyList<FaultPoint> operations;
            List<long> heldMeta = [];
            _heldMetaSyncs = heldMeta;
            try
            {
                operations = RecordOperations();
            }
            finally
            {
                _heldMetaSyncs = null;
            }

            var flushes = Enumerable.Range(0, operations.Count).Where(i => operations[i].Kind == FaultKind.Flush).Select(i => (long)i).ToList();
            var data = flushes.Where(i => operations[(int)i].Path == Path).ToList();
            syncs = (data, heldMeta, [.. flushes.Except(data)], operations.Count);
            _syncs = syncs;
        }

        return (turn % 3) switch
        {
            0 => random.NextInt64(syncs.Total + 1),
            1 when turn % 6 == 4 && syncs.HeldMeta.Count > 0 => syncs.HeldMeta[random.Next(syncs.HeldMeta.Count)],
            1 => syncs.Data[random.Next(syncs.Data.Count)],
            _ => syncs.Other[random.Next(syncs.Other.Count)],
        };
    }

    /// <summary>
    /// Storage operations of the reopened database after a process crash at <paramref name="processCrashAt"/> when the
    /// power does not fail: in all (the range of power-failure points), and in the open itself.
    /// </summary>
    public (long Total, long Open) CountOperationsAfterProcessCrash(long processCrashAt)
    {
        var (image, first) = ProcessCrashImage(processCrashAt);
        var fs = image.AfterProcessCrash();
        var log = OperationLog.Attach(fs);
        var (_, problem, open) = RunAfterProcessCrash(fs, first, processCrashAt);
        if (problem is not null)
        {
            throw new InvalidOperationException($"seed {_seed}, process crash at {processCrashAt}: {problem}");
        }

        _afterProcessCrash = (processCrashAt, log, open);
        return (fs.Operations, open);
    }

    /// <summary>
    /// A power-failure point for <see cref="ExecuteAfterProcessCrash"/>, drawn with <paramref name="random"/>: in the
    /// open or anywhere after the process crash, and either uniformly or right before or after one of the fsyncs and
    /// name changes of that range (<see cref="OperationLog"/>).
    /// </summary>
    public long NextPowerFailurePoint(Random random, long processCrashAt, bool inOpen, bool atBoundary)
    {
        if (_afterProcessCrash is not { } counted || counted.At != processCrashAt)
        {
            CountOperationsAfterProcessCrash(processCrashAt);
            counted = _afterProcessCrash!.Value;
        }

        return counted.Log.Pick(random, 0, inOpen ? counted.Open : counted.Log.Count, atBoundary);
    }

    /// <summary>
    /// The power-failure point right before the reopened database first fsyncs the data file after it first wrote to
    /// it (the first checkpoint's pages, usually, or leaves recovery wrote out early): some writes of the reopen to the
    /// data file have happened, none is durable yet, and neither is anything the dead process left there unsynced
    /// unless the open made it durable before writing. With <see cref="CrashMode.DropBeforeProcessCrash"/> the cache
    /// wrote the reopen's writes back and lost the dead process's: a checkpoint's meta page that the process died
    /// before syncing is gone, while the pages the reopen reused on its word are overwritten. An open that syncs the
    /// data file only after its replay wrote leaves has its power fail right before that sync, inside the open; one
    /// that syncs it first has its power fail after the open, as one that never syncs it does. The end of the run when
    /// the reopen never syncs the data file after writing it.
    /// </summary>
    public long PowerFailureBeforeFirstDataSync(long processCrashAt)
    {
        if (_afterProcessCrash is not { } counted || counted.At != processCrashAt)
        {
            CountOperationsAfterProcessCrash(processCrashAt);
            counted = _afterProcessCrash!.Value;
        }

        var log = counted.Log;
        var synced = log.FirstWrite(Path, 0) is { } written ? log.FirstSync(Path, written) : log.FirstSync(Path, counted.Open);
        return synced ?? log.Count;
    }

    /// <summary>
    /// The process dies at operation <paramref name="processCrashAt"/> of the workload; the database is reopened on the
    /// files it left and the workload continues; the power fails at operation <paramref name="powerFailAt"/> after the
    /// reopen began; the machine reboots with <paramref name="mode"/>, and everything is checked (<see cref="Verify"/>).
    /// The reopened database must also hold every commit acknowledged before the process crash, buffered ones too.
    /// </summary>
    public CrashOutcome ExecuteAfterProcessCrash(long processCrashAt, long powerFailAt, CrashMode mode)
    {
        var (image, first) = ProcessCrashImage(processCrashAt);
        var fs = image.AfterProcessCrash();
        fs.CrashAtOperation = powerFailAt;
        var (run, problem, _) = RunAfterProcessCrash(fs, first, processCrashAt);
        if (problem is not null)
        {
            return new CrashOutcome(first.Acknowledged, -1, AcknowledgedLost: true, PartialVisible: false, CheckFailed: false, problem);
        }

        var seed = unchecked((_seed * 1_000_003) + (int)(processCrashAt * 7919) + (int)(powerFailAt * 31) + (int)mode);
        return Verify(fs.AfterCrash(mode, new Random(seed)), run);
    }

    private (SimulatedFileSystem Image, WorkloadResult Run) ProcessCrashImage(long processCrashAt)
    {
        if (_processCrash is not { } cached || cached.At != processCrashAt)
        {
            var fs = new SimulatedFileSystem();
            if (FailSyncAtProcessCrash == FailedSyncRestart.None)
            {
                fs.CrashAtOperation = processCrashAt;
            }
            else
            {
                fs.Fault = point =>
                {
                    if (point.Index != processCrashAt || point.Kind != FaultKind.Flush)
                    {
                        return null;
                    }

                    fs.FailWriteback(point.Path);
                    return new IOException($"Injected failed fsync of '{point.Path}' at operation {point.Index}.");
                };
            }

            var run = Run(fs, FirstSchedule());
            var image = fs.AfterProcessCrash();
            if (FailSyncAtProcessCrash == FailedSyncRestart.Evicted)
            {
                image.EvictAllLost();
                run = run with { Acknowledged = run.DurableFloor }; // buffered commits whose write-back failed are gone
            }

            cached = (processCrashAt, image, run);
            _processCrash = cached;
        }

        return (cached.Image, cached.Run);
    }

    /// <summary>
    /// Reopens after the process crash and runs the second schedule. Returns what both runs did together, a problem
    /// found at the reopen (it lost or invented commits), and the operations the open performed.
    /// </summary>
    private (WorkloadResult Run, string? Problem, long OpenOperations) RunAfterProcessCrash(SimulatedFileSystem fs, WorkloadResult first, long processCrashAt)
    {
        Database db;
        int recovered;
        try
        {
            db = OpenForWork(fs);
        }
        catch (Exception) when (fs.Crashed)
        {
            return (first, null, fs.Operations); // the power failed while the database opened
        }
        catch (Exception ex)
        {
            return (first, $"the reopen after the process crash failed: {ex}", fs.Operations);
        }

        var open = fs.Operations;
        try
        {
            RecoveredLeaves += db.Recovered?.LeavesWritten ?? 0;
            recovered = MatchState(ReadState(db), first.Attempted);
        }
        catch (Exception ex)
        {
            db.Dispose();
            return (first, $"reading the database reopened after the process crash failed: {ex}", open);
        }

        if (recovered < first.Acknowledged)
        {
            db.Dispose();
            return (first, $"after the process crash the reopened database holds {(recovered < 0 ? "no prefix of the" : recovered)} commits; {first.Acknowledged} were acknowledged and {first.Attempted} begun", open);
        }

        // The schedule varies with the seed and the crash point: a checkpoint right after the first commit or later,
        // a shrink early or late, a backup.
        var variant = unchecked((int)((_seed * 31) + processCrashAt) & int.MaxValue);
        var checkpointEvery = 2 + (variant % 4);
        var schedule = new Schedule(
            recovered,
            AfterProcessCrashCommits,
            checkpointEvery,
            CheckpointPhase: variant / 4 % checkpointEvery,
            ShrinkEvery: int.MaxValue,
            ShrinkAt: variant / 16 % 8,
            BackupAt: 10 + (variant / 128 % 8),
            BackupPath: BackupPrefix + "2.db",
            ReopenAt: -1);
        var second = Run(fs, schedule, db, first.DurableFloor);
        return (second with { Backups = [.. first.Backups, .. second.Backups] }, null, open);
    }
}

/// <summary>The first point of the two-phase kind (<see cref="CrashScenario.FailSyncAtProcessCrash"/>).</summary>
public enum FailedSyncRestart
{
    /// <summary>The process dies at the point.</summary>
    None,

    /// <summary>The fsync at the point fails; the next process finds the failed writes still in the cache.</summary>
    Cached,

    /// <summary>The fsync at the point fails; the cache dropped the failed writes before the next process reads them.</summary>
    Evicted,
}
