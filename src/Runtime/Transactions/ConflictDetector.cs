using System.Text;
using Persistence.Wal;

namespace Persistence.Transactions;

/// <summary>
/// First-committer-wins validation at key granularity: a transaction conflicts when a commit after its snapshot wrote
/// (put or deleted) a key it also wrote, created a keyspace name it also created, or dropped a keyspace it wrote in
/// (or wrote in a keyspace it dropped).
/// </summary>
/// <remarks>
/// The relation is symmetric, so the check hashes the smaller side's writes, by operation count, and probes with the
/// other's: a one-document commit behind fifteen others hashes its own three keys instead of their forty-five (which
/// cost most of a commit's allocations with 16 concurrent writers), and a bulk load behind one small commit still
/// hashes only that commit's keys.
/// <para>One detector serves every check of its sequencer, under the sequencer's lock: its sets are cleared and reused,
/// so a check allocates nothing once they have grown to the usual size.</para>
/// </remarks>
internal sealed class ConflictDetector
{
    /// <summary>Entries a set may keep between checks; a bulk load's check leaves bigger ones to the garbage collector.</summary>
    private const int KeptCapacity = 1024;

    private WriteSet _set = new();

    /// <summary>Returns the name of the keyspace of the first conflict found, or null when there is none.</summary>
    public string? FindConflict(TxLog mine, Catalog myCatalog, DbVersion snapshot, DbVersion latest)
    {
        long theirOps = 0;
        var reached = snapshot;
        var candidates = 0;
        var later = 0;
        for (var v = snapshot.Next; v is not null; v = Next(v, latest))
        {
            later++;
            var log = LogOf(v, snapshot);
            if (MayConflict(mine, log))
            {
                theirOps += log.OpCount;
                candidates++;
            }

            reached = v;
        }

        if (!ReferenceEquals(reached, latest))
        {
            // Retirement cuts a retired version off the chain (VersionChain.RetireUnpinned): only a snapshot that is no
            // longer pinned can end the walk early, and checking nothing would lose the commits after it.
            throw new System.Diagnostics.UnreachableException($"The snapshot {snapshot.Number} of a committing writer was retired: the walk ended at version {reached.Number}, before {latest.Number}.");
        }

        Skipped += later - candidates;
        if (candidates == 0)
        {
            return null;
        }

        int? keyspace = null;
        string? created = null;
        var set = _set;
        try
        {
            if (mine.OpCount <= theirOps)
            {
                set.Add(mine);
                for (var v = snapshot.Next; v is not null; v = Next(v, latest))
                {
                    if (MayConflict(mine, v.Log!) && set.FindConflict(v.Log!, out keyspace, out created))
                    {
                        break;
                    }
                }
            }
            else
            {
                for (var v = snapshot.Next; v is not null; v = Next(v, latest))
                {
                    if (MayConflict(mine, v.Log!))
                    {
                        set.Add(v.Log!);
                    }
                }

                set.FindConflict(mine, out keyspace, out created);
            }
        }
        finally
        {
            // Cleared even when a spilled log fails to read back: the keys are slices of the logs' chunks.
            if (!set.Clear(KeptCapacity))
            {
                _set = new WriteSet();
            }
        }

        return created ?? (keyspace is { } id ? myCatalog.Get(id)?.Name ?? snapshot.Catalog.Get(id)?.Name ?? $"#{id}" : null);
    }

    /// <summary>
    /// Logs of the later commits that the check skipped unread, their key filters proving that they share no key with
    /// the committing log (diagnostics and tests).
    /// </summary>
    public long Skipped { get; private set; }

    /// <summary>
    /// False when <paramref name="theirs"/> cannot conflict with <paramref name="mine"/>: neither creates or drops a
    /// keyspace, and their key filters share no bit, so no key is in both.
    /// </summary>
    private static bool MayConflict(TxLog mine, TxLog theirs) =>
        mine.ChangesKeyspaces || theirs.ChangesKeyspaces || mine.Keys.Overlaps(theirs.Keys);

    /// <summary>The version after <paramref name="v"/>, or null past <paramref name="latest"/>.</summary>
    private static DbVersion? Next(DbVersion v, DbVersion latest) => ReferenceEquals(v, latest) ? null : v.Next;

    private static TxLog LogOf(DbVersion v, DbVersion snapshot) =>
        v.Log ?? throw new System.Diagnostics.UnreachableException($"The log of version {v.Number} was pruned while a writer with snapshot {snapshot.Number} was open.");

    /// <summary>What one side wrote, hashed for probing with the other side's operations.</summary>
    private sealed class WriteSet
    {
        private readonly HashSet<(int, ReadOnlyMemory<byte>)> _keys = new(KeyComparer.Instance);
        private readonly HashSet<int> _dropped = [];
        private readonly HashSet<int> _touched = [];
        private HashSet<string>? _created; // keyspace creations are rare

        /// <summary>Empties the set for the next check; false when it grew past <paramref name="keep"/> entries (drop it).</summary>
        public bool Clear(int keep)
        {
            var small = _keys.Count <= keep;
            _keys.Clear();
            _dropped.Clear();
            _touched.Clear();
            _created?.Clear();
            return small;
        }

        public void Add(TxLog log)
        {
            var reader = new TxLogReader(log.Payloads());
            var spilled = log.SpilledBytes > 0; // its keys are slices of chunks read back: copied, so the chunks can go
            while (reader.TryRead(out var op))
            {
                switch (op.Kind)
                {
                    case LogOpKind.Put or LogOpKind.Delete:
                        _keys.Add((op.KeyspaceId, spilled ? op.Key.ToArray() : op.Key));
                        _touched.Add(op.KeyspaceId);
                        break;
                    case LogOpKind.CreateKeyspace:
                        (_created ??= new HashSet<string>(StringComparer.Ordinal)).Add(Encoding.UTF8.GetString(op.Key.Span));
                        break;
                    case LogOpKind.DropKeyspace:
                        _dropped.Add(op.KeyspaceId);
                        break;
                }
            }
        }

        /// <summary>
        /// True when an operation of <paramref name="log"/> conflicts with this set: the keyspace it names, or the
        /// keyspace name both created.
        /// </summary>
        public bool FindConflict(TxLog log, out int? keyspace, out string? created)
        {
            var reader = new TxLogReader(log.Payloads());
            while (reader.TryRead(out var op))
            {
                var conflict = op.Kind switch
                {
                    LogOpKind.Put or LogOpKind.Delete => _dropped.Contains(op.KeyspaceId) || _keys.Contains((op.KeyspaceId, op.Key)),
                    LogOpKind.CreateKeyspace => _created is { } names && names.Contains(Encoding.UTF8.GetString(op.Key.Span)),
                    LogOpKind.DropKeyspace => _dropped.Contains(op.KeyspaceId) || _touched.Contains(op.KeyspaceId),
                    _ => false,
                };
                if (conflict)
                {
                    var isCreate = op.Kind == LogOpKind.CreateKeyspace;
                    keyspace = isCreate ? null : op.KeyspaceId;
                    created = isCreate ? Encoding.UTF8.GetString(op.Key.Span) : null;
                    return true;
                }
            }

            (keyspace, created) = (null, null);
            return false;
        }
    }

    private sealed class KeyComparer : IEqualityComparer<(int Keyspace, ReadOnlyMemory<byte> Key)>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals((int Keyspace, ReadOnlyMemory<byte> Key) x, (int Keyspace, ReadOnlyMemory<byte> Key) y) =>
            x.Keyspace == y.Keyspace && x.Key.Span.SequenceEqual(y.Key.Span);

        public int GetHashCode((int Keyspace, ReadOnlyMemory<byte> Key) obj)
        {
            var hash = new HashCode();
            hash.Add(obj.Keyspace);
            hash.AddBytes(obj.Key.Span);
            return hash.ToHashCode();
        }
    }
}
