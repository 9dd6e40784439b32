namespace Persistence.Collections;

/// <summary>
/// Keys gathered back to back in one growing buffer, with the end of each in a second one: two arrays, which double as
/// they grow, instead of an array object per key.
/// </summary>
internal sealed class KeyList
{
    private byte[] _bytes = new byte[256];
    private int[] _ends = new int[16];

    public int Count { get; private set; }

    /// <summary>Key <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>), valid until the next <see cref="Add"/>.</summary>
    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            var start = index == 0 ? 0 : _ends[index - 1];
            return _bytes.AsSpan(start, _ends[index] - start);
        }
    }

    public void Add(ReadOnlySpan<byte> key)
    {
        var start = Count == 0 ? 0 : _ends[Count - 1];
        if (start + key.Length > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, start + key.Length));
        }

        if (Count == _ends.Length)
        {
            Array.Resize(ref _ends, _ends.Length * 2);
        }

        key.CopyTo(_bytes.AsSpan(start));
        _ends[Count++] = start + key.Length;
    }

    /// <summary>Removes the keys <paramref name="remove"/> picks, in place, keeping the others in their order.</summary>
    public void RemoveWhere(KeyPredicate remove)
    {
        var kept = 0;
        var start = 0;
        var end = 0;
        for (var i = 0; i < Count; i++)
        {
            var key = _bytes.AsSpan(start, _ends[i] - start);
            start = _ends[i];
            if (!remove(key))
            {
                key.CopyTo(_bytes.AsSpan(end)); // at or before where it is: a forward copy never overwrites a key not yet read
                end += key.Length;
                _ends[kept++] = end;
            }
        }

        Count = kept;
    }
}

/// <summary>A test of one key of a <see cref="KeyList"/>.</summary>
internal delegate bool KeyPredicate(ReadOnlySpan<byte> key);
