namespace Persistence.Transactions;

/// <summary>
/// The pending writes of a small write transaction, kept per keyspace as a sorted list over the transaction's
/// snapshot instead of copying tree pages: a one-document commit then copies no page until the commit applies it.
/// A value of null is a deletion (it hides the snapshot's key). Past <see cref="PromoteAfter"/> entries the transaction
/// moves to a private copy-on-write tree, which is cheaper for large transactions.
/// </summary>
internal sealed class WriteOverlay
{
    public const int PromoteAfter = 128;
    private readonly Dictionary<int, List<Entry>> _keyspaces = [];
    private readonly Dictionary<int, long> _countDelta = [];

    public int Entries { get; private set; }

    public bool ShouldPromote => Entries > PromoteAfter;

    public IEnumerable<(int Keyspace, List<Entry> Entries)> All => _keyspaces.Select(p => (p.Key, p.Value));

    public List<Entry>? EntriesOf(int keyspace) => _keyspaces.GetValueOrDefault(keyspace);

    public long CountDelta(int keyspace) => _countDelta.GetValueOrDefault(keyspace);

    /// <summary>Finds <paramref name="key"/>: <c>found</c> says whether the overlay holds it; the value is null for a deletion.</summary>
    public bool TryGet(int keyspace, ReadOnlySpan<byte> key, out byte[]? value)
    {
        value = null;
        if (EntriesOf(keyspace) is not { } entries)
        {
            return false;
        }

        var index = Find(entries, key, out var found);
        if (found)
        {
            value = entries[index].Value;
        }

        return found;
    }

    /// <summary>Records a put; <paramref name="inSnapshot"/> says whether the snapshot holds the key (for counting).</summary>
    public void Put(int keyspace, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, Func<bool> inSnapshot) =>
        Set(keyspace, key, value.ToArray(), inSnapshot);

    /// <summary>Records a deletion; returns false (and records nothing) when the key does not exist in this transaction's view.</summary>
    public bool Delete(int keyspace, ReadOnlySpan<byte> key, Func<bool> inSnapshot)
    {
        if (TryGet(keyspace, key, out var current))
        {
            if (current is null)
            {
                return false;
            }
        }
        else if (!inSnapshot())
        {
            return false;
        }

        Set(keyspace, key, null, () => true);
        return true;
    }

    public static int Find(List<Entry> entries, ReadOnlySpan<byte> key, out bool found)
    {
        var low = 0;
        var high = entries.Count - 1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            var cmp = entries[mid].Key.AsSpan().SequenceCompareTo(key);
            if (cmp == 0)
            {
                found = true;
                return mid;
            }

            if (cmp < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        found = false;
        return low;
    }

    private void Set(int keyspace, ReadOnlySpan<byte> key, byte[]? value, Func<bool> inSnapshot)
    {
        if (!_keyspaces.TryGetValue(keyspace, out var entries))
        {
            entries = [];
            _keyspaces[keyspace] = entries;
        }

        var index = Find(entries, key, out var found);
        bool existedBefore;
        if (found)
        {
            existedBefore = entries[index].Value is not null;
            entries[index] = entries[index] with { Value = value };
        }
        else
        {
            existedBefore = inSnapshot();
            entries.Insert(index, new Entry(key.ToArray(), value));
            Entries++;
        }

        var existsAfter = value is not null;
        if (existedBefore != existsAfter)
        {
            _countDelta[keyspace] = CountDelta(keyspace) + (existsAfter ? 1 : -1);
        }
    }

    /// <summary>One pending write: the value, or null for a deletion.</summary>
    internal readonly record struct Entry(byte[] Key, byte[]? Value);
}
