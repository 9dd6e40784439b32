namespace Persistence.Testing;

/// <summary>
/// The kind with crashes inside recovery: a first crash in the workload (a power failure, or the process dying with
/// its writes left in the operating system's cache), then one or more crashes, each at a storage operation of the
/// reopen on what the crash before left. A reopen is what a restarted application does: the open (recovery replays
/// the log, writing the leaves of large commits out early, clears the log's tail, syncs what it replayed), the
/// checkpoint that a database with background work runs right after a recovery (pages, the meta page, the log's
/// segments recycled or deleted), and the close. After the last crash the files are opened once more and checked.
/// </summary>
/// <remarks>
/// Every reopen is first run without a crash on a copy of the files: its operations are the range of crash points (and
/// give the boundaries, <see cref="OperationLog"/>), and the commits it recovers bound the next open's. A reopen never
/// finds more commits than the one before it could (recovery writes nothing a later replay reads as a commit), and
/// finds as many when nothing could take them: after a process crash (the cache kept every write), and after a power
/// failure when the files held nothing unsynced before that reopen or its open had returned (having synced what it
/// replayed). A power failure earlier in the open leaves the durable floor: every commit acknowledged as durable, or
/// made durable by an earlier reopen. The first crash sets the floor as the other kinds do: the commits acknowledged
/// as durable after a power failure, every acknowledged commit after a process crash.
/// </remarks>
public sealed partial class CrashScenario
{
    /// <summary>Files left by the chains of the first crash executed last, and their reopens run without a crash, by chain.</summary>
    private readonly Dictionary<string, ChainImage> _chainImages = [];

    /// <summary>Operations after which each commit of the first run was acknowledged (filled while profiling it).</summary>
    private List<long>? _acknowledgedAt;

    /// <summary>The first run's operations and when each commit was acknowledged (<see cref="NextFirstCrash"/>).</summary>
    private (OperationLog Log, List<long> AcknowledgedAt)? _firstRun;

    /// <summary>
    /// The first crash of a chain, by <paramref name="turn"/> modulo 4: anywhere in the workload; right after a large
    /// commit was acknowledged (its replay writes leaves out early); at a boundary (an fsync, a name change); the
    /// process dying at an fsync of the data file (a checkpoint's pages or meta page written and not synced; every
    /// second time the meta page of a checkpoint that commits landed during, <see cref="NextProcessCrashPoint"/>). In
    /// the first three, half are process crashes and half power failures.
    /// </summary>
    public CrashPoint NextFirstCrash(Random random, int turn)
    {
        if (_firstRun is not { } profile)
        {
            var fs = new SimulatedFileSystem();
            var log = OperationLog.Attach(fs);
            _acknowledgedAt = [];
            try
            {
                Run(fs, FirstSchedule());
                profile = (log, _acknowledgedAt);
            }
            finally
            {
                _acknowledgedAt = null;
            }

            _firstRun = profile;
        }

        if (turn % 4 == 3)
        {
            return new CrashPoint(NextProcessCrashPoint(random, turn % 8 == 7 ? 4 : 1), null);
        }

        var large = Enumerable.Range(0, profile.AcknowledgedAt.Count).Where(t => _transactions[t].Count >= 50).ToList();
        var at = (turn % 4) switch
        {
            1 when large.Count > 0 => profile.AcknowledgedAt[large[random.Next(large.Count)]],
            2 => profile.Log.Pick(random, 0, profile.Log.Count, atBoundary: true),
            _ => random.NextInt64(profile.Log.Count + 1),
        };
        CrashMode[] power = [CrashMode.DropUnsynced, CrashMode.TornLast, CrashMode.Reorder];
        return new CrashPoint(at, random.Next(2) == 0 ? null : power[random.Next(power.Length)]);
    }

    /// <summary>
    /// The reopen on the files <paramref name="chain"/> left, run without a crash: null when the reopen already breaks
    /// a guarantee (<see cref="ExecuteWithCrashesInReopens"/> of the chain reports it).
    /// </summary>
    public ReopenOperations? CountReopen(IReadOnlyList<CrashPoint> chain)
    {
        var image = ImageAfter(chain);
        return image.Problem is null ? image.Reopen : null;
    }

    /// <summary>
    /// A crash in <paramref name="reopen"/>, by <paramref name="turn"/> modulo 3: in the open (recovery) or right after
    /// it returned; at a boundary anywhere in the reopen (an fsync, a name change); anywhere in it. A third are process
    /// crashes, the others power failures in every mode (<see cref="CrashMode.DropBeforeProcessCrash"/> too).
    /// </summary>
    public static CrashPoint NextCrashInReopen(Random random, ReopenOperations reopen, int turn)
    {
        var last = Math.Max(0, reopen.Total - 1); // the crash falls inside the reopen
        var at = (turn % 3) switch
        {
            0 => random.NextInt64(Math.Min(reopen.Open, last) + 1),
            1 => reopen.Log.Pick(random, 0, last, atBoundary: true),
            _ => random.NextInt64(last + 1),
        };
        CrashMode?[] kinds = [null, CrashMode.DropUnsynced, CrashMode.TornLast, null, CrashMode.Reorder, CrashMode.DropBeforeProcessCrash];
        return new CrashPoint(at, kinds[random.Next(kinds.Length)]);
    }

    /// <summary>
    /// Runs the workload to <paramref name="chain"/>'s first crash, reopens with each further crash of the chain in the
    /// reopen, reboots the last files and checks them (<see cref="Verify"/>) against the bounds the chain allows.
    /// Deterministic: a failure is reproduced by running the same chain again.
    /// </summary>
    public CrashOutcome ExecuteWithCrashesInReopens(IReadOnlyList<CrashPoint> chain)
    {
        var image = ImageAfter(chain);
        if (image.Problem is not null)
        {
            return new CrashOutcome(image.AtLeast, -1, AcknowledgedLost: true, PartialVisible: false, CheckFailed: false, image.Problem);
        }

        return Verify(image.Files.AfterProcessCrash(), image.Run with { DurableFloor = image.AtLeast, Attempted = image.AtMost });
    }

    /// <summary>The files <paramref name="chain"/> leaves, with the bounds on the next open's commits, and that open run without a crash.</summary>
    private ChainImage ImageAfter(IReadOnlyList<CrashPoint> chain)
    {
        var key = CrashPoint.Format(chain);
        if (_chainImages.TryGetValue(key, out var cached))
        {
            return cached;
        }

        ChainImage image;
        var crash = chain[^1];
        var random = new Random(chain.Aggregate(_seed, (hash, point) => unchecked((hash * 1_000_003) + (int)(point.At * 7919) + (int)(point.PowerFailure ?? (CrashMode)(-1)))));
        if (chain.Count == 1)
        {
            _chainImages.Clear(); // the images of another first crash are not needed again
            var fs = new SimulatedFileSystem { CrashAtOperation = crash.At };
            var run = Run(fs, FirstSchedule());
            var files = crash.PowerFailure is { } mode ? fs.AfterCrash(mode, random) : fs.AfterProcessCrash();
            image = Reopened(new ChainImage(files, run, crash.IsProcessCrash ? run.Acknowledged : run.DurableFloor, run.DurableFloor, run.Attempted, crash.IsProcessCrash, null, null));
        }
        else
        {
            var before = ImageAfter(chain.Take(chain.Count - 1).ToList());
            if (before.Problem is not null)
            {
                return before;
            }

            var reopen = before.Reopen!;
            var fs = before.Files.AfterProcessCrash();
            fs.CrashAtOperation = crash.At;
            var problem = Reopen(fs, null, out _);
            var files = crash.PowerFailure is { } mode ? fs.AfterCrash(mode, random) : fs.AfterProcessCrash();
            var durable = !before.Pending || crash.At >= reopen.Open ? reopen.Recovered : before.Durable;
            image = problem is not null
                ? before with { Problem = $"the reopen with the crash {crash} in it: {problem}" }
                : Reopened(new ChainImage(files, before.Run, crash.IsProcessCrash ? reopen.Recovered : durable, durable, reopen.Recovered, crash.IsProcessCrash, null, null));
        }

        _chainImages[key] = image;
        return image;
    }

    /// <summary>Runs the reopen of <paramref name="image"/>'s files on a copy without a crash, and checks the commits it recovers against the bounds.</summary>
    private ChainImage Reopened(ChainImage image)
    {
        var fs = image.Files.AfterProcessCrash();
        var log = OperationLog.Attach(fs);
        var problem = Reopen(fs, image, out var counted);
        return problem is null
            ? image with { Reopen = new ReopenOperations(counted.Open, fs.Operations, log, counted.Recovered, counted.Leaves) }
            : image with { Problem = problem };
    }

    /// <summary>
    /// The reopen on <paramref name="fs"/>, which may crash: open, the checkpoint after a recovery, close. Returns a
    /// problem that is not the crash; with <paramref name="bounds"/>, the commits the open recovered must be within them.
    /// </summary>
    private string? Reopen(SimulatedFileSystem fs, ChainImage? bounds, out (long Open, int Recovered, long Leaves) counted)
    {
        counted = default;
        Database? db = null;
        try
        {
            db = OpenForWork(fs);
            var open = fs.Operations;
            var leaves = db.Recovered?.LeavesWritten ?? 0;
            if (bounds is not null)
            {
                RecoveredLeaves += leaves;
                var state = ReadState(db);
                var recovered = MatchState(state, bounds.AtMost);
                if (recovered < bounds.AtLeast)
                {
                    return recovered >= 0
                        ? $"the reopen recovered {recovered} commits; at least {bounds.AtLeast} had to survive"
                        : MatchState(state, int.MaxValue) is var more and >= 0
                            ? $"the reopen recovered {more} commits; at most {bounds.AtMost} could be"
                            : $"the reopen recovered a state that matches no prefix of the commits (version {VersionOf(db)})";
                }

                counted = (open, recovered, leaves);
            }

            if (db.Recovered?.Commits > 0)
            {
                db.Checkpoint(); // what the background checkpointer runs right after a recovery
            }

            var closing = db;
            db = null;
            closing.Dispose();
            return null;
        }
        catch (Exception) when (fs.Crashed)
        {
            return null;
        }
        catch (Exception ex)
        {
            return $"the reopen failed: {ex}";
        }
        finally
        {
            db?.Dispose();
        }
    }

    /// <summary>
    /// What a chain of crashes left: the files; what the first run did; bounds on the commits the next open may recover
    /// (<paramref name="Durable"/>: the floor a power failure before that open syncs what it replays leaves); whether
    /// writes are still unsynced in the operating system's cache (the last crash was the process's); the next reopen
    /// run without a crash; or a guarantee that chain already broke.
    /// </summary>
    private sealed record ChainImage(SimulatedFileSystem Files, WorkloadResult Run, int AtLeast, int Durable, int AtMost, bool Pending, ReopenOperations? Reopen, string? Problem);
}

/// <summary>
/// A reopen after a crash, run without one (<see cref="CrashScenario.CountReopen"/>): the operations of the open
/// (recovery) and of the whole reopen (the checkpoint after a recovery and the close too), their boundaries, the
/// commits it recovered and the leaves its replay wrote out early.
/// </summary>
public sealed record ReopenOperations(long Open, long Total, OperationLog Log, int Recovered, long LeavesWritten);
