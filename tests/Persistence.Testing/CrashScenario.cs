using System.Buffers.Binary;

namespace Persistence.Testing;

/// <summary>
/// A deterministic workload that is cut by a simulated power failure at a chosen storage operation, then recovered
/// and checked: every commit acknowledged as durable is present, the state is exactly that after some prefix of the
/// commits (no partial transaction), every backup that returned opens with its snapshot, and the consistency checker
/// passes. A third of the commits are <see cref="Durability.Buffered"/>, which a power failure may lose (never a
/// durable commit after them). <see cref="ExecuteAfterProcessCrash"/> runs the two-phase kind: the process dies first,
/// the database is reopened and used, and then the power fails.
/// </summary>
/// <remarks>
/// The database runs without background work (<see cref="DatabaseOptions.BackgroundWork"/>), so a seed and a crash
/// point always name the same storage operation: a failure is reproduced by running the same point again. Commits that
/// land while a checkpoint runs (the first run's second half) keep that: the checkpoint runs on a thread of its own but
/// is held while they commit (<see cref="CheckpointWhileCommitsLand"/>).
/// </remarks>
public sealed partial class CrashScenario
{
    private const string Path = "/crash/test.db";
    private const string BackupPrefix = "/crash/backup-";
    private readonly int _seed;
    private readonly int _commits;
    private readonly List<Dictionary<string, byte[]>> _states = [];
    private readonly List<List<(bool IsPut, string Keyspace, byte[] Key, byte[]? Value)>> _transactions = [];
    private readonly List<Durability> _durability = [];

    /// <summary>Each keyspace the transactions write, with the first transaction that writes it (and so creates it).</summary>
    private readonly Dictionary<string, int> _createdBy = [];

    /// <summary>The database instance the workload is using (so a fault can be attributed to it).</summary>
    private volatile Database? _current;

    /// <param name="commits">Transactions of the workload; <see cref="AfterProcessCrashCommits"/> more are generated for the reopened database of the two-phase kind.</param>
    public CrashScenario(int seed, int commits = 60)
    {
        _seed = seed;
        _commits = commits;
        Generate();
    }

    /// <summary>Leaves the workload's large transactions wrote out before their commits in the last run (every open).</summary>
    public long SpilledPages { get; private set; }

    /// <summary>Leaves that recovery wrote out early while reopening after the crashes <see cref="Execute"/> simulated.</summary>
    public long RecoveredLeaves { get; private set; }

    public static DatabaseOptions Options(TimeProvider time) => new()
    {
        PageSize = 4096,
        PageCacheBytes = 256L << 10, // 64 pages: the workload, and recovery, evict and read pages back
        WalSegmentBytes = 64 << 10,
        CheckpointWalBytes = 1L << 40,
        CheckpointInterval = TimeSpan.FromDays(1),
        TimeProvider = time,
        LogSpillBytes = 1, // every finished log chunk of a large transaction goes through a spill file

        // Large transactions, and recovery's replay of the log, write leaves out early after a few nodes, so that
        // crashes also land in and after those writes, and every reopen checks what the replay wrote.
        SpillLeavesAfter = 4,

        // Recovery replays every commit of more than a few operations from a second read of its frames.
        RecoveryHeldLogBytes = 512,

        // Checkpoints on demand and at close only, segments prepared on the committing thread: the same operations
        // in the same order on every run.
        BackgroundWork = false,
    };

    /// <summary>Storage operations the workload performs when nothing fails (the range of crash points).</summary>
    public long CountOperations()
    {
        var fs = new SimulatedFileSystem();
        Run(fs, FirstSchedule());
        return fs.Operations;
    }

    /// <summary>Every storage operation the workload performs when nothing fails, in order (crash point i is the i-th).</summary>
    public IReadOnlyList<FaultPoint> RecordOperations()
    {
        var operations = new List<FaultPoint>();
        var fs = new SimulatedFileSystem
        {
            Fault = point =>
            {
                lock (operations)
                {
                    operations.Add(point);
                }

                return null;
            },
        };
        Run(fs, FirstSchedule());
        return operations;
    }

    /// <summary>
    /// Runs the workload with power failing at <paramref name="crashAt"/> (or, with <paramref name="fault"/>, with that
    /// I/O error injected at operation <paramref name="crashAt"/> and power failing after the workload stopped),
    /// reboots with <paramref name="mode"/>, and checks.
    /// </summary>
    public CrashOutcome Execute(long crashAt, CrashMode mode, InjectedFault fault = InjectedFault.None)
    {
        var fs = new SimulatedFileSystem();
        FaultKind? faultedKind = null;
        string? faultedPath = null;
        Database? faultedInstance = null;
        if (fault == InjectedFault.None)
        {
            fs.CrashAtOperation = crashAt;
        }
        else
        {
            fs.Fault = point =>
            {
                if (point.Index != crashAt)
                {
                    return null;
                }

                faultedKind = point.Kind;
                faultedPath = point.Path;
                faultedInstance = _current;
                return fault == InjectedFault.OutOfSpace
                    ? new StorageException(ErrorCode.OutOfSpace, $"Could not write '{point.Path}': the disk is full (injected).")
                    : new IOException($"Injected I/O error at operation {point.Index}.");
            };
        }

        var run = Run(fs, FirstSchedule());
        var readOnly = faultedInstance?.IsReadOnly ?? true; // read-only is per instance: a reopened database has recovered
        if (fault != InjectedFault.None && faultedKind is not null)
        {
            if (run.Error is not (null or PersistenceException))
            {
                return new CrashOutcome(run.DurableFloor, -1, false, false, true, $"the fault surfaced as {run.Error.GetType().Name}, not a PersistenceException: {run.Error.Message}");
            }

            // A backup's files belong to the copy: a failed fsync there makes the copy read-only, never the source.
            if (faultedKind == FaultKind.Flush && !readOnly && !faultedPath!.StartsWith(BackupPrefix, StringComparison.Ordinal))
            {
                return new CrashOutcome(run.DurableFloor, -1, false, false, true, $"a failed fsync of '{faultedPath}' did not make the database read-only");
            }
        }

        var image = fs.AfterCrash(mode, new Random(unchecked((_seed * 1_000_003) + (int)(crashAt * 31) + (int)mode)));
        return Verify(image, run);
    }

    /// <summary>
    /// Reboots <paramref name="image"/>: the recovered state must be that after some prefix of the commits, no shorter
    /// than <see cref="WorkloadResult.DurableFloor"/> and no longer than <see cref="WorkloadResult.Attempted"/>; every
    /// backup that returned must hold its snapshot; both must pass the consistency checker.
    /// </summary>
    private CrashOutcome Verify(SimulatedFileSystem image, WorkloadResult run)
    {
        Database db;
        try
        {
            db = Database.Open(Path, Options(new FakeTimeProvider()), image);
        }
        catch (Exception ex)
        {
            return new CrashOutcome(run.DurableFloor, -1, AcknowledgedLost: true, PartialVisible: false, CheckFailed: false, $"reopen failed: {ex}");
        }

        int matched;
        string detail;
        ConsistencyReport report;
        try
        {
            RecoveredLeaves += db.Recovered?.LeavesWritten ?? 0;
            var state = ReadState(db);
            matched = MatchState(state, run.Attempted);
            report = db.CheckConsistency();
            detail = matched >= 0
                ? matched < run.DurableFloor ? $"only {matched} commits recovered but {run.DurableFloor} were acknowledged as durable" : ""
                : MatchState(state, int.MaxValue) is var later and >= 0 ? $"{later} commits recovered but only {run.Attempted} were begun"
                : $"recovered state matches no prefix of the commits (version {VersionOf(db)})";
            if (!report.IsConsistent)
            {
                detail += " checker: " + report;
            }
        }
        catch (Exception ex)
        {
            return new CrashOutcome(run.DurableFloor, -1, AcknowledgedLost: true, PartialVisible: false, CheckFailed: false, $"reading the recovered database failed: {ex}");
        }
        finally
        {
            db.Dispose();
        }

        var lost = matched < run.DurableFloor;
        var partial = matched < 0;
        var checkFailed = !report.IsConsistent;
        foreach (var (path, state) in run.Backups)
        {
            var problem = VerifyBackup(image, path, state, out var backupCheckFailed);
            if (problem is not null)
            {
                lost |= !backupCheckFailed;
                checkFailed |= backupCheckFailed;
                detail += $" backup '{path}' of commit {state}: {problem}";
            }
        }

        return new CrashOutcome(run.DurableFloor, matched, lost, partial, checkFailed, detail.Trim());
    }

    /// <summary>Opens a backup that returned before the crash: it must hold exactly the snapshot it copied.</summary>
    private string? VerifyBackup(SimulatedFileSystem image, string path, int state, out bool checkFailed)
    {
        checkFailed = false;
        try
        {
            using var backup = Database.Open(path, Options(new FakeTimeProvider()), image);
            if (!SameState(_states[state], ReadState(backup)))
            {
                return "it does not hold its snapshot";
            }

            var report = backup.CheckConsistency();
            checkFailed = !report.IsConsistent;
            return checkFailed ? "checker: " + report : null;
        }
        catch (Exception ex)
        {
            return $"it could not be read: {ex}";
        }
    }

    /// <summary>The highest number of commits, at most <paramref name="atMost"/>, after which the state is <paramref name="state"/>, or -1.</summary>
    private int MatchState(Dictionary<string, byte[]> state, int atMost)
    {
        for (var i = Math.Min(atMost, _states.Count - 1); i >= 0; i--)
        {
            if (SameState(_states[i], state))
            {
                return i;
            }
        }

        return -1;
    }

    private void Generate()
    {
        var random = new Random(_seed);
        var durability = new Random(unchecked((_seed * 7919) + 17)); // apart, so the transactions stay those of earlier runs
        var state = new Dictionary<string, byte[]>();
        _states.Add(new Dictionary<string, byte[]>(state));
        for (var t = 0; t < _commits + AfterProcessCrashCommits; t++)
        {
            var ops = new List<(bool, string, byte[], byte[]?)>();
            // Every twentieth transaction is large enough to move to a private tree and write leaves out early.
            var count = t % 20 == 5 ? 300 : random.Next(1, random.Next(10) == 0 ? 200 : 12);
            for (var i = 0; i < count; i++)
            {
                var keyspace = random.Next(3) == 0 ? "b" : "a";
                _createdBy.TryAdd(keyspace, t);
                var key = new byte[4];
                BinaryPrimitives.WriteInt32BigEndian(key, random.Next(400));
                var stateKey = keyspace + Convert.ToHexString(key);
                if (random.Next(4) == 0)
                {
                    ops.Add((false, keyspace, key, null));
                    state.Remove(stateKey);
                }
                else
                {
                    var value = new byte[random.Next(20) == 0 ? random.Next(2000, 20000) : random.Next(8, 200)];
                    random.NextBytes(value);
                    BinaryPrimitives.WriteInt32LittleEndian(value, t);
                    ops.Add((true, keyspace, key, value));
                    state[stateKey] = value;
                }
            }

            _transactions.Add(ops);
            _durability.Add(durability.Next(3) == 0 ? Durability.Buffered : Durability.Durable);
            _states.Add(new Dictionary<string, byte[]>(state));
        }
    }

    private static long VersionOf(Database db)
    {
        using var read = db.BeginRead();
        return read.SnapshotVersion;
    }

    private static Dictionary<string, byte[]> ReadState(Database db)
    {
        var state = new Dictionary<string, byte[]>();
        using var read = db.BeginRead();
        foreach (var keyspace in read.GetKeyspaces())
        {
            foreach (var (key, value) in read.Scan(keyspace))
            {
                state[keyspace.Name + Convert.ToHexString(key)] = value;
            }
        }

        return state;
    }

    private static bool SameState(Dictionary<string, byte[]> expected, Dictionary<string, byte[]> actual) =>
        expected.Count == actual.Count && expected.All(e => actual.TryGetValue(e.Key, out var v) && v.AsSpan().SequenceEqual(e.Value));
}

/// <summary>An I/O failure injected instead of a power failure.</summary>
public enum InjectedFault
{
    None,
    IOError,
    OutOfSpace,
}

/// <summary>What a crash scenario found.</summary>
/// <param name="Acknowledged">Commits that had to survive: the last one acknowledged as durable (with every one before it).</param>
/// <param name="Recovered">Commits whose state was recovered (-1: none matched).</param>
public sealed record CrashOutcome(int Acknowledged, int Recovered, bool AcknowledgedLost, bool PartialVisible, bool CheckFailed, string Detail)
{
    public bool Passed => !AcknowledgedLost && !PartialVisible && !CheckFailed;
}
