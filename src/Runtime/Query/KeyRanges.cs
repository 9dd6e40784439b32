using System.Diagnostics;

namespace Persistence.Query;

/// <summary>
/// Operations on the key ranges conditions produce (<see cref="IFieldCondition{T}.Ranges"/>): lists of ascending,
/// disjoint ranges, each with an inclusive lower bound and an exclusive upper bound (or none).
/// </summary>
internal static class KeyRanges
{
    /// <summary>The keys in both lists (ascending and disjoint, as the lists are), in one pass over each.</summary>
    public static List<KeyRange> Intersect(IReadOnlyList<KeyRange> left, IReadOnlyList<KeyRange> right)
    {
        // A merge: the range that ends first overlaps nothing after the other's current range (both lists ascend), so it is
        // done with; the other may still overlap the next range of its list.
        var result = new List<KeyRange>();
        int i = 0, j = 0;
        while (i < left.Count && j < right.Count)
        {
            var (a, b) = (left[i], right[j]);
            AssertHalfOpen(a);
            AssertHalfOpen(b);
            var lower = !a.HasLower ? b : !b.HasLower ? a : a.Lower.SequenceCompareTo(b.Lower) >= 0 ? a : b;
            var aEndsFirst = a.HasUpper && (!b.HasUpper || a.Upper.SequenceCompareTo(b.Upper) <= 0);
            var upper = aEndsFirst ? a : b;
            if (!lower.HasLower || !upper.HasUpper || lower.Lower.SequenceCompareTo(upper.Upper) < 0)
            {
                result.Add(Make(lower.HasLower ? lower.Lower.ToArray() : null, upper.HasUpper ? upper.Upper.ToArray() : null));
            }

            if (aEndsFirst)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return result;
    }

    /// <summary>
    /// The ranges of a composite key's next part under each of <paramref name="prefixes"/> (complete, ascending encodings
    /// of the parts before it): for every prefix P and range [lo, hi), the keys from P+lo up to P+hi (or past every key
    /// that starts with P). Ascending and disjoint, as the prefixes are prefix-free. The result holds the product of the
    /// two counts, which the planner keeps within <see cref="QueryPlanner.MaxKeyRanges"/>.
    /// </summary>
    public static List<KeyRange> Under(IReadOnlyList<byte[]> prefixes, IReadOnlyList<KeyRange> ranges)
    {
        var result = new List<KeyRange>(prefixes.Count * ranges.Count);
        foreach (var prefix in prefixes)
        {
            foreach (var range in ranges)
            {
                AssertHalfOpen(range);
                var lower = range.HasLower ? [.. prefix, .. range.Lower] : prefix;
                var upper = range.HasUpper ? [.. prefix, .. range.Upper] : KeyRange.PrefixSuccessor(prefix);
                result.Add(Make(lower.Length == 0 ? null : lower, upper));
            }
        }

        return result;
    }

    /// <summary>
    /// Every prefix extended by every value (both ascending): the prefixes of the next part's combinations, as many as
    /// the product of the two counts, which the planner keeps within <see cref="QueryPlanner.MaxKeyRanges"/>.
    /// </summary>
    public static List<byte[]> Extend(IReadOnlyList<byte[]> prefixes, IReadOnlyList<byte[]> values)
    {
        var result = new List<byte[]>(prefixes.Count * values.Count);
        foreach (var prefix in prefixes)
        {
            foreach (var value in values)
            {
                result.Add([.. prefix, .. value]);
            }
        }

        return result;
    }

    private static KeyRange Make(byte[]? lower, byte[]? upper) => (lower, upper) switch
    {
        (null, null) => KeyRange.All,
        (null, _) => KeyRange.To(upper),
        (_, null) => KeyRange.From(lower),
        _ => KeyRange.Between(lower, upper),
    };

    [Conditional("DEBUG")]
    private static void AssertHalfOpen(KeyRange range) =>
        Debug.Assert((!range.HasLower || range.LowerInclusive) && !range.UpperInclusive, "condition ranges include their lower bound and exclude their upper one");
}
