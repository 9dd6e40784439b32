namespace Persistence.Transactions;

/// <summary>
/// The pending writes of a small write transaction, kept per keyspace as a sorted list over the transaction's
/// snapshot instead of copying tree pages: a one-document commit then copies no page until the commit applies it.
/// A value of null is a deletion (it hides the snapshot's key). Past <see cref="PromoteAfter"/> entries the transaction
/// moves to a private copy-on-write tree, which is cheaper for large transactions.
/// </summary>
/// <remarks>
/// A transaction touches few keyspaces (a document and its indexes), so they sit in a short array searched in order,
/// not in hash maps: a one-document commit made its overlay allocate two maps and their arrays.
/// </remarks>
internal sealed class WriteOverlay
{
    public const int PromoteAfter = 128;
    private Part[] _parts = new Part[4];
    private int _partCount;

    public int Entries { get; private set; }

    public bool ShouldPromote => Entries > PromoteAfter;

    /// <summary>The keyspaces written, each with its pending writes in key order.</summary>
    public IEnumerable<(int Keyspace, List<Entry> Entries)> All
    {
        get
        {
            for (var i = 0; i < _partCount; i++)
            {
                yield return (_parts[i].Keyspace, _parts[i].Entries);
            }
        }
    }

    public List<Entry>? EntriesOf(int keyspace) => IndexOf(keyspace) is var i and >= 0 ? _parts[i].Entries : null;

    public long CountDelta(int keyspace) => IndexOf(keyspace) is var i and >= 0 ? _parts[i].CountDelta : 0;

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

    /// <summary>
    /// Records a put of <paramref name="key"/> (kept, not copied); <paramref name="snapshot"/> tells whether the snapshot
    /// holds the key (for counting).
    /// </summary>
    public void Put(int keyspace, byte[] key, ReadOnlySpan<byte> value, WriteTransaction snapshot) =>
        Set(keyspace, key, value.ToArray(), snapshot);

    /// <summary>Records a deletion; returns false (and records nothing) when the key does not exist in this transaction's view.</summary>
    public bool Delete(int keyspace, byte[] key, WriteTransaction snapshot)
    {
        if (TryGet(keyspace, key, out var current))
        {
            if (current is null)
            {
                return false;
            }
        }
        else if (!snapshot.InSnapshot(keyspace, key))
        {
            return false;
        }

        Set(keyspace, key, null, snapshot: null);
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

    /// <param name="snapshot">Asked whether its snapshot holds a key new to the overlay; null: it does (a deletion).</param>
    private void Set(int keyspace, byte[] key, byte[]? value, WriteTransaction? snapshot)
    {
        var part = IndexOf(keyspace);
        if (part < 0)
        {
            if (_partCount == _parts.Length)
            {
                Array.Resize(ref _parts, _parts.Length * 2);
            }

            part = _partCount++;
            _parts[part] = new Part(keyspace, []);
        }

        var entries = _parts[part].Entries;
        var index = Find(entries, key, out var found);
        bool existedBefore;
        if (found)
        {
            existedBefore = entries[index].Value is not null;
            entries[index] = entries[index] with { Value = value };
        }
        else
        {
            existedBefore = snapshot?.InSnapshot(keyspace, key) ?? true;
            entries.Insert(index, new Entry(key, value));
            Entries++;
        }

        var existsAfter = value is not null;
        if (existedBefore != existsAfter)
        {
            _parts[part].CountDelta += existsAfter ? 1 : -1; // indexed again: asking the snapshot may run between
        }
    }

    private int IndexOf(int keyspace)
    {
        for (var i = 0; i < _partCount; i++)
        {
            if (_parts[i].Keyspace == keyspace)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>One keyspace's pending writes in key order, and how they change its count.</summary>
    private struct Part(int keyspace, List<Entry> entries)
    {
        public readonly int Keyspace = keyspace;
        public readonly List<Entry> Entries = entries;
        public long CountDelta;
    }

    /// <summary>One pending write: the value, or null for a deletion.</summary>
    internal readonly record struct Entry(byte[] Key, byte[]? Value);
}
