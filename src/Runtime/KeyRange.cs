namespace Persistence;

/// <summary>
/// Bounds for a cursor or scan over a keyspace, in key order (unsigned bytes). The default value is unbounded.
/// </summary>
public readonly struct KeyRange
{
    private readonly byte[]? _lower;
    private readonly byte[]? _upper;

    private KeyRange(byte[]? lower, bool lowerInclusive, byte[]? upper, bool upperInclusive)
    {
        _lower = lower;
        _upper = upper;
        LowerInclusive = lowerInclusive;
        UpperInclusive = upperInclusive;
    }

    /// <summary>Every key.</summary>
    public static KeyRange All => default;

    /// <summary>The lower bound, or empty when there is none.</summary>
    public ReadOnlySpan<byte> Lower => _lower;

    /// <summary>The upper bound, or empty when there is none.</summary>
    public ReadOnlySpan<byte> Upper => _upper;

    /// <summary>True when there is a lower bound.</summary>
    public bool HasLower => _lower is not null;

    /// <summary>True when there is an upper bound.</summary>
    public bool HasUpper => _upper is not null;

    /// <summary>True when a key equal to the lower bound is in the range.</summary>
    public bool LowerInclusive { get; }

    /// <summary>True when a key equal to the upper bound is in the range.</summary>
    public bool UpperInclusive { get; }

    /// <summary>Keys from <paramref name="lower"/> up to <paramref name="upper"/>, with the given inclusivity.</summary>
    public static KeyRange Between(ReadOnlySpan<byte> lower, ReadOnlySpan<byte> upper, bool lowerInclusive = true, bool upperInclusive = false) =>
        new(lower.ToArray(), lowerInclusive, upper.ToArray(), upperInclusive);

    /// <summary>Keys ≥ <paramref name="lower"/> (or &gt; when not inclusive).</summary>
    public static KeyRange From(ReadOnlySpan<byte> lower, bool inclusive = true) => new(lower.ToArray(), inclusive, null, false);

    /// <summary>Keys &lt; <paramref name="upper"/> (or ≤ when inclusive).</summary>
    public static KeyRange To(ReadOnlySpan<byte> upper, bool inclusive = false) => new(null, false, upper.ToArray(), inclusive);

    /// <summary>Keys that start with <paramref name="prefix"/>.</summary>
    public static KeyRange Prefix(ReadOnlySpan<byte> prefix)
    {
        if (prefix.IsEmpty)
        {
            return All;
        }

        var upper = PrefixSuccessor(prefix);
        return new KeyRange(prefix.ToArray(), true, upper, false);
    }

    /// <summary>The smallest key greater than every key starting with <paramref name="prefix"/>, or null when there is none (all 0xFF).</summary>
    public static byte[]? PrefixSuccessor(ReadOnlySpan<byte> prefix)
    {
        var end = prefix.Length;
        while (end > 0 && prefix[end - 1] == 0xFF)
        {
            end--;
        }

        if (end == 0)
        {
            return null;
        }

        var successor = prefix[..end].ToArray();
        successor[end - 1]++;
        return successor;
    }

    /// <summary>True when <paramref name="key"/> is at or past the lower bound.</summary>
    public bool AboveLower(ReadOnlySpan<byte> key)
    {
        if (_lower is null)
        {
            return true;
        }

        var cmp = key.SequenceCompareTo(_lower);
        return cmp > 0 || (cmp == 0 && LowerInclusive);
    }

    /// <summary>True when <paramref name="key"/> is at or before the upper bound.</summary>
    public bool BelowUpper(ReadOnlySpan<byte> key)
    {
        if (_upper is null)
        {
            return true;
        }

        var cmp = key.SequenceCompareTo(_upper);
        return cmp < 0 || (cmp == 0 && UpperInclusive);
    }

    /// <summary>True when <paramref name="key"/> lies in the range.</summary>
    public bool Contains(ReadOnlySpan<byte> key) => AboveLower(key) && BelowUpper(key);
}
