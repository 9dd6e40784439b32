using System.Buffers.Binary;

namespace Persistence.Testing;

/// <summary>
/// A deterministic workload that is cut by a simulated power failure at a chosen storage operation, then recovered
/// and checked: every acknowledged commit is present, the state is exactly that after some prefix of the commits (no
/// partial transaction), and the consistency checker passes.
/// </summary>
public sealed class CrashScenario
{
    private readonly int _seed;
    private readonly int _commits;
    private readonly List<Dictionary<string, byte[]>> _states = [];
    private readonly List<List<(bool IsPut, string Keyspace, byte[] Key, byte[]? Value)>> _transactions = [];

    public CrashScenario(int seed, int commits = 60)
    {
        _seed = seed;
        _commits = commits;
        Generate();
    }

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
    };

    /// <summary>Storage operations the workload performs when nothing fails (the range of crash points).</summary>
    public long CountOperations()
    {
        var fs = new SimulatedFileSystem();
        Run(fs, out _);
        return fs.Operations;
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

        var acknowledged = Run(fs, out var workloadError, out _);
        var readOnly = faultedInstance?.IsReadOnly ?? true; // read-only is per instance: a reopened database has recovered
        if (fault != InjectedFault.None && faultedKind is not null)
        {
            if (workloadError is not (null or PersistenceException))
            {
                return new CrashOutcome(acknowledged, -1, false, false, true, $"the fault surfaced as {workloadError.GetType().Name}, not a PersistenceException: {workloadError.Message}");
            }

            if (faultedKind == FaultKind.Flush && !readOnly)
            {
                return new CrashOutcome(acknowledged, -1, false, false, true, $"a failed fsync of '{faultedPath}' did not make the database read-only");
            }
        }

        var image = fs.AfterCrash(mode, new Random(unchecked((_seed * 1_000_003) + (int)(crashAt * 31) + (int)mode)));
        Database db;
        try
        {
            db = Database.Open(Path, Options(new FakeTimeProvider()), image);
        }
        catch (Exception ex)
        {
            return new CrashOutcome(acknowledged, -1, AcknowledgedLost: true, PartialVisible: false, CheckFailed: false, $"reopen failed: {ex}");
        }

        try
        {
            RecoveredLeaves += db.Recovered?.LeavesWritten ?? 0;
            var state = ReadState(db);
            var matched = -1;
            for (var i = _states.Count - 1; i >= 0; i--)
            {
                if (SameState(_states[i], state))
                {
                    matched = i;
                    break;
                }
            }

            var report = db.CheckConsistency();
            var lost = matched < acknowledged;
            var detail = matched < 0
                ? $"recovered state matches no prefix of the commits (version {db.BeginRead().SnapshotVersion})"
                : lost ? $"only {matched} commits recovered but {acknowledged} were acknowledged" : "";
            if (!report.IsConsistent)
            {
                detail += " checker: " + report;
            }

            return new CrashOutcome(acknowledged, matched, lost, matched < 0, !report.IsConsistent, detail);
        }
        finally
        {
            db.Dispose();
        }
    }

    private const string Path = "/crash/test.db";

    /// <summary>The database instance the workload is using (so a fault can be attributed to it).</summary>
    private volatile Database? _current;

    /// <summary>Leaves the workload's large transactions wrote out before their commits in the last run (both opens).</summary>
    public long SpilledPages { get; private set; }

    /// <summary>Leaves that recovery wrote out early while reopening after the crashes <see cref="Execute"/> simulated.</summary>
    public long RecoveredLeaves { get; private set; }

    /// <summary>Runs the transactions in order; returns how many commits were acknowledged before the failure.</summary>
    private int Run(SimulatedFileSystem fs, out Exception? error) => Run(fs, out error, out _);

    private int Run(SimulatedFileSystem fs, out Exception? error, out bool readOnly)
    {
        _current = null;
        SpilledPages = 0;
        error = null;
        readOnly = false;
        var acknowledged = 0;
        Database? db = null;
        try
        {
            db = _current = OpenForWork(fs);
            for (var t = 0; t < _transactions.Count; t++)
            {
                using (var tx = db.BeginWrite())
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

                    tx.Commit();
                }

                acknowledged = t + 1;
                if (t % 7 == 6)
                {
                    db.Checkpoint();
                }

                if (t % 25 == 24)
                {
                    db.Shrink();
                }

                if (t == _transactions.Count / 2)
                {
                    SpilledPages += db.Checkpointer!.PagesSpilled;
                    db.Dispose(); // a clean close and reopen in the middle
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
            }
            catch (Exception ex)
            {
                error ??= ex;
            }

            readOnly = db?.IsReadOnly ?? true; // a database that never opened cannot accept writes either
        }

        return acknowledged;
    }

    /// <summary>Opens the database the workload writes to.</summary>
    private static Database OpenForWork(SimulatedFileSystem fs) => Database.Open(Path, Options(new FakeTimeProvider()), fs);

    private void Generate()
    {
        var random = new Random(_seed);
        var state = new Dictionary<string, byte[]>();
        _states.Add(new Dictionary<string, byte[]>(state));
        for (var t = 0; t < _commits; t++)
        {
            var ops = new List<(bool, string, byte[], byte[]?)>();
            // Every twentieth transaction is large enough to move to a private tree and write leaves out early.
            var count = t % 20 == 5 ? 300 : random.Next(1, random.Next(10) == 0 ? 200 : 12);
            for (var i = 0; i < count; i++)
            {
                var keyspace = random.Next(3) == 0 ? "b" : "a";
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
            _states.Add(new Dictionary<string, byte[]>(state));
        }
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
public sealed record CrashOutcome(int Acknowledged, int Recovered, bool AcknowledgedLost, bool PartialVisible, bool CheckFailed, string Detail)
{
    public bool Passed => !AcknowledgedLost && !PartialVisible && !CheckFailed;
}
