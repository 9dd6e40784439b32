namespace Persistence.Collections;

/// <summary>
/// Keys gathered back to back in one growing buffer, with the end of each in a second one: two arrays, which double as
/// they grow, instead of an array object per key. A key gathered from an index entry can be stored with the entry's
/// indexed value before it (<see cref="Add(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>), the value's length in a third
/// array, made by the first such key: the value and the key lie back to back, as in a non-unique entry's key.
/// </summary>
internal sealed class KeyList
{
    private byte[] _bytes = new byte[256];
    private int[] _ends = new int[16];

    /// <summary>The length of the value before each key; null while every key was added without one.</summary>
    private int[]? _valueLengths;

    public int Count { get; private set; }

    /// <summary>Key <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>), valid until the next add.</summary>
    public ReadOnlySpan<byte> this[int index] => Entry(index)[ValueLength(index)..];

    /// <summary>The value added before key <paramref name="index"/> (empty when none), valid until the next add.</summary>
    public ReadOnlySpan<byte> ValueOf(int index) => Entry(index)[..ValueLength(index)];

    /// <summary>The value added before key <paramref name="index"/>, then the key, valid until the next add.</summary>
    public ReadOnlySpan<byte> Entry(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        var start = index == 0 ? 0 : _ends[index - 1];
        return _bytes.AsSpan(start, _ends[index] - start);
    }

    public void Add(ReadOnlySpan<byte> key) => Add([], key);

    /// <summary>Adds <paramref name="key"/> with <paramref name="value"/> before it (<see cref="ValueOf"/>).</summary>
    public void Add(ReadOnlySpan<byte> value, ReadOnlySpan<byte> key)
    {
        var start = Count == 0 ? 0 : _ends[Count - 1];
        var length = value.Length + key.Length;
        if (start + length > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, start + length));
        }

        if (Count == _ends.Length)
        {
            Array.Resize(ref _ends, _ends.Length * 2);
            if (_valueLengths is not null)
            {
                Array.Resize(ref _valueLengths, _ends.Length);
            }
        }

        if (!value.IsEmpty)
        {
            (_valueLengths ??= new int[_ends.Length])[Count] = value.Length;
        }
        else if (_valueLengths is not null)
        {
            _valueLengths[Count] = 0;
        }

        value.CopyTo(_bytes.AsSpan(start));
        key.CopyTo(_bytes.AsSpan(start + value.Length));
        _ends[Count++] = start + length;
    }

    /// <summary>Removes the keys <paramref name="remove"/> picks (their values with them), in place, keeping the others in their order.</summary>
    public void RemoveWhere(KeyPredicate remove)
    {
        var kept = 0;
        var start = 0;
        var end = 0;
        for (var i = 0; i < Count; i++)
        {
            var entry = _bytes.AsSpan(start, _ends[i] - start);
            start = _ends[i];
            var valueLength = ValueLength(i);
            if (!remove(entry[valueLength..]))
            {
                entry.CopyTo(_bytes.AsSpan(end)); // at or before where it is: a forward copy never overwrites a key not yet read
                end += entry.Length;
                if (_valueLengths is not null)
                {
                    _valueLengths[kept] = valueLength;
                }

                _ends[kept++] = end;
            }
        }

        Count = kept;
    }

    private int ValueLength(int index) => _valueLengths is null ? 0 : _valueLengths[index];
}

/// <summary>A test of one key of a <see cref="KeyList"/>.</summary>
internal delegate bool KeyPredicate(ReadOnlySpan<byte> key);
