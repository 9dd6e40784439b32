using System.Text;
using Persistence.Wal;

namespace Persistence.Transactions;

/// <summary>
/// First-committer-wins validation at key granularity: a transaction conflicts when a commit after its snapshot wrote
/// (put or deleted) a key it also wrote, created a keyspace name it also created, or dropped a keyspace it wrote in
/// (or wrote in a keyspace it dropped).
/// </summary>
internal static class ConflictDetector
{
    /// <summary>Returns the name of the keyspace of the first conflict found, or null when there is none.</summary>
    public static string? FindConflict(TxLog mine, Catalog myCatalog, DbVersion snapshot, DbVersion latest)
    {
        var keys = new HashSet<(int, ReadOnlyMemory<byte>)>(KeyComparer.Instance);
        var dropped = new HashSet<int>();
        var created = new HashSet<string>(StringComparer.Ordinal);
        var touched = new HashSet<int>();
        for (var v = snapshot.Next; v is not null; v = v.Next)
        {
            var log = v.Log ?? throw new System.Diagnostics.UnreachableException($"The log of version {v.Number} was pruned while a writer with snapshot {snapshot.Number} was open.");
            var reader = new TxLogReader(log.Payloads());
            while (reader.TryRead(out var op))
            {
                switch (op.Kind)
                {
                    case LogOpKind.Put or LogOpKind.Delete:
                        keys.Add((op.KeyspaceId, op.Key));
                        touched.Add(op.KeyspaceId);
                        break;
                    case LogOpKind.CreateKeyspace:
                        created.Add(Encoding.UTF8.GetString(op.Key.Span));
                        break;
                    case LogOpKind.DropKeyspace:
                        dropped.Add(op.KeyspaceId);
                        break;
                }
            }

            if (ReferenceEquals(v, latest))
            {
                break;
            }
        }

        var mineReader = new TxLogReader(mine.Payloads());
        while (mineReader.TryRead(out var op))
        {
            var conflict = op.Kind switch
            {
                LogOpKind.Put or LogOpKind.Delete => dropped.Contains(op.KeyspaceId) || keys.Contains((op.KeyspaceId, op.Key)),
                LogOpKind.CreateKeyspace => created.Contains(Encoding.UTF8.GetString(op.Key.Span)),
                LogOpKind.DropKeyspace => dropped.Contains(op.KeyspaceId) || touched.Contains(op.KeyspaceId),
                _ => false,
            };
            if (conflict)
            {
                return op.Kind == LogOpKind.CreateKeyspace
                    ? Encoding.UTF8.GetString(op.Key.Span)
                    : myCatalog.Get(op.KeyspaceId)?.Name ?? snapshot.Catalog.Get(op.KeyspaceId)?.Name ?? $"#{op.KeyspaceId}";
            }
        }

        return null;
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
