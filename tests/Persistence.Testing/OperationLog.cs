namespace Persistence.Testing;

/// <summary>
/// The storage operations of one run of a <see cref="SimulatedFileSystem"/> and the crash points at its boundaries:
/// right before and right after every fsync (crash points f and f + 1 for the fsync at f), and around every create,
/// rename, delete and directory sync, which are not crash points themselves (a name change made after c operations
/// happened at crash point c and did not at c − 1). A power failure there finds the most work written and not yet
/// durable, or made durable a moment ago, where a uniform choice mostly lands in a run of writes.
/// </summary>
public sealed class OperationLog
{
    private readonly SortedSet<long> _boundaries = [];
    private readonly List<(long Index, string Path)> _syncs = [];
    private readonly List<(long Index, string Path)> _writes = [];
    private readonly SimulatedFileSystem _fs;
    private long[]? _sorted;

    private OperationLog(SimulatedFileSystem fs) => _fs = fs;

    /// <summary>Operations performed so far.</summary>
    public long Count => _fs.Operations;

    /// <summary>Distinct boundary crash points, in order.</summary>
    public IReadOnlyList<long> Boundaries => _sorted ??= [.. _boundaries];

    /// <summary>Records the operations of <paramref name="fs"/> from now on (it takes its <see cref="SimulatedFileSystem.Fault"/> and <see cref="SimulatedFileSystem.NameChanged"/> hooks).</summary>
    public static OperationLog Attach(SimulatedFileSystem fs)
    {
        var log = new OperationLog(fs);
        fs.Fault = point =>
        {
            if (point.Kind == FaultKind.Flush)
            {
                log.Add(point.Index);
                log.Add(point.Index + 1);
                lock (log._syncs)
                {
                    log._syncs.Add((point.Index, point.Path));
                }
            }
            else
            {
                lock (log._writes)
                {
                    log._writes.Add((point.Index, point.Path));
                }
            }

            return null;
        };
        fs.NameChanged = change =>
        {
            log.Add(change.Operations - 1);
            log.Add(change.Operations);
        };
        return log;
    }

    /// <summary>
    /// A crash point in [<paramref name="from"/>, <paramref name="to"/>]: a boundary in that range when
    /// <paramref name="atBoundary"/> and there is one, otherwise any point, uniformly.
    /// </summary>
    public long Pick(Random random, long from, long to, bool atBoundary)
    {
        if (atBoundary)
        {
            var inRange = Boundaries.Where(b => b >= from && b <= to).ToList();
            if (inRange.Count > 0)
            {
                return inRange[random.Next(inRange.Count)];
            }
        }

        return from + random.NextInt64(to - from + 1);
    }

    /// <summary>The first fsync of the file at <paramref name="path"/> at or after operation <paramref name="from"/>, or null.</summary>
    public long? FirstSync(string path, long from) => First(_syncs, path, from);

    /// <summary>The first write or set-length of the file at <paramref name="path"/> at or after operation <paramref name="from"/>, or null.</summary>
    public long? FirstWrite(string path, long from) => First(_writes, path, from);

    private static long? First(List<(long Index, string Path)> operations, string path, long from)
    {
        var full = System.IO.Path.GetFullPath(path);
        lock (operations)
        {
            long? first = null;
            foreach (var (index, done) in operations)
            {
                first = index >= from && done == full && index < (first ?? long.MaxValue) ? index : first;
            }

            return first;
        }
    }

    private void Add(long point)
    {
        if (point >= 0)
        {
            lock (_boundaries)
            {
                _boundaries.Add(point);
                _sorted = null;
            }
        }
    }
}
