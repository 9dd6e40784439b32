using System.Globalization;
using Persistence.Serialization;

namespace Persistence.Query;

internal enum ComparisonKind
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>A condition on one member that the planner may turn into key ranges of an index led by that member.</summary>
internal interface IFieldCondition<T>
    where T : class
{
    Field<T> Field { get; }

    /// <summary>The ranges of encoded keys (ascending, disjoint) that hold every match; null when an index cannot help.</summary>
    IReadOnlyList<KeyRange>? Ranges();

    /// <summary>The planner's guess of the matching fraction (a unique index makes equality a single row).</summary>
    double EstimateRows(long total, bool unique);

    /// <summary>True when a document whose member is null can match (unique indexes hold no null entries).</summary>
    bool CanMatchNull { get; }

    /// <summary>
    /// True when the condition is equality with one or more values (<c>Is</c>, <c>In</c>): each of its
    /// <see cref="Ranges"/> is then the prefix of one value's encoding, which a composite index's next member may follow.
    /// </summary>
    bool IsEquality { get; }
}

internal static class FieldKeys
{
    /// <summary>The smallest encoding of a present (non-null) value of a nullable member: the not-null marker.</summary>
    private static readonly byte[] NotNull = [0x01];

    public static byte[] Encode<T, TValue>(Field<T, TValue> member, TValue value)
        where T : class
    {
        var writer = new KeyWriter(stackalloc byte[64]);
        try
        {
            // As every key holds the value: a DateTimeOffset as its instant, a DateTime as stored, so that the values the
            // field's comparer calls equal are one key. A DateTime's bounds leave out the Kind that ends its key (always
            // Utc now), so that they also take in index entries that databases written before 2026-11-23 may still hold
            // with the value's own Kind (until RepairIndexes), as they did before.
            member.KeyWriter(ref writer, value);
            return writer.WrittenSpan[..(writer.Length - (value is DateTime ? 1 : 0))].ToArray();
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>Keys of the member's values at or above <paramref name="lower"/> (inclusive) and below <paramref name="upper"/> (exclusive); null means unbounded, but nulls are always excluded.</summary>
    public static KeyRange Between<T>(Field<T> member, byte[]? lower, byte[]? upper, bool nullable)
        where T : class
    {
        lower ??= nullable ? NotNull : null;
        return (lower, upper) switch
        {
            (null, null) => KeyRange.All,
            (null, _) => KeyRange.To(upper),
            (_, null) => KeyRange.From(lower),
            _ => KeyRange.Between(lower, upper),
        };
    }

    /// <summary>The exclusive upper bound just past every entry whose encoding starts with <paramref name="encoded"/> (null: unbounded).</summary>
    public static byte[]? After(byte[] encoded) => KeyRange.PrefixSuccessor(encoded);

    public static bool IsNull<TValue>(TValue value) => value is null;
}

internal sealed class Comparison<T, TValue>(Field<T, TValue> member, ComparisonKind kind, TValue value) : Condition<T>, IFieldCondition<T>
    where T : class
{
    public Field<T> Field => member;

    public override bool Matches(T document)
    {
        var actual = member.Get(document);
        if (kind is ComparisonKind.Equal or ComparisonKind.NotEqual)
        {
            var equal = FieldKeys.IsNull(actual) ? FieldKeys.IsNull(value) : !FieldKeys.IsNull(value) && member.Comparer.Compare(actual, value) == 0;
            return equal == (kind == ComparisonKind.Equal);
        }

        if (FieldKeys.IsNull(actual) || FieldKeys.IsNull(value))
        {
            return false; // as C#'s lifted comparison operators: null is neither less nor greater
        }

        var cmp = member.Comparer.Compare(actual, value);
        return kind switch
        {
            ComparisonKind.Less => cmp < 0,
            ComparisonKind.LessOrEqual => cmp <= 0,
            ComparisonKind.Greater => cmp > 0,
            _ => cmp >= 0,
        };
    }

    public IReadOnlyList<KeyRange>? Ranges()
    {
        if (kind == ComparisonKind.NotEqual)
        {
            return null;
        }

        if (FieldKeys.IsNull(value) && (kind != ComparisonKind.Equal || !member.IsNullable))
        {
            return []; // a member whose key has no null marker has no entry with a null value
        }

        var encoded = FieldKeys.Encode(member, value);
        var nullable = member.IsNullable;
        return kind switch
        {
            ComparisonKind.Equal => [KeyRange.Prefix(encoded)],
            ComparisonKind.Less => [FieldKeys.Between(member, null, encoded, nullable)],
            ComparisonKind.LessOrEqual => [FieldKeys.Between(member, null, FieldKeys.After(encoded), nullable)],
            ComparisonKind.Greater => FieldKeys.After(encoded) is { } after ? [FieldKeys.Between(member, after, null, nullable)] : [],
            _ => [FieldKeys.Between(member, encoded, null, nullable)],
        };
    }

    public double EstimateRows(long total, bool unique) => kind switch
    {
        ComparisonKind.Equal => unique ? 1 : Math.Max(1, total / 100.0),
        _ => total / 3.0,
    };

    public bool CanMatchNull => kind == ComparisonKind.Equal && FieldKeys.IsNull(value);

    public bool IsEquality => kind == ComparisonKind.Equal;

    public override string ToString() => kind switch
    {
        ComparisonKind.Equal => $"{member.Name} = {Show(value)}",
        ComparisonKind.NotEqual => $"{member.Name} != {Show(value)}",
        ComparisonKind.Less => $"{member.Name} < {Show(value)}",
        ComparisonKind.LessOrEqual => $"{member.Name} <= {Show(value)}",
        ComparisonKind.Greater => $"{member.Name} > {Show(value)}",
        _ => $"{member.Name} >= {Show(value)}",
    };

    /// <summary>
    /// A value as <see cref="Query{T, TKey, TFields}.Explain"/> and the conditions' text show it, the same in every culture:
    /// dates and times in ISO 8601 round-trip form ("O"), numbers and the rest in the invariant culture.
    /// </summary>
    internal static string Show(TValue v) => v switch
    {
        null => "null",
        string s => $"\"{s}\"",
        DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
        DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("O", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("O", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        byte[] bytes => "0x" + Convert.ToHexString(bytes),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}

internal sealed class BetweenCondition<T, TValue>(Field<T, TValue> member, TValue low, TValue high) : Condition<T>, IFieldCondition<T>
    where T : class
{
    public Field<T> Field => member;

    public override bool Matches(T document)
    {
        var actual = member.Get(document);
        return !FieldKeys.IsNull(actual) && !FieldKeys.IsNull(low) && !FieldKeys.IsNull(high)
            && member.Comparer.Compare(actual, low) >= 0 && member.Comparer.Compare(actual, high) <= 0;
    }

    public IReadOnlyList<KeyRange>? Ranges() =>
        FieldKeys.IsNull(low) || FieldKeys.IsNull(high) || member.Comparer.Compare(low, high) > 0
            ? []
            : [FieldKeys.Between(member, FieldKeys.Encode(member, low), FieldKeys.After(FieldKeys.Encode(member, high)), member.IsNullable)];

    public double EstimateRows(long total, bool unique) => total / 8.0;

    public bool CanMatchNull => false;

    public bool IsEquality => false;

    public override string ToString() => $"{member.Name} between {Comparison<T, TValue>.Show(low)} and {Comparison<T, TValue>.Show(high)}";
}

internal sealed class InCondition<T, TValue>(Field<T, TValue> member, TValue[] values) : Condition<T>, IFieldCondition<T>
    where T : class
{
    /// <summary>The most values the condition's text shows.</summary>
    internal const int ShownValues = 8;

    /// <summary>The ranges of <see cref="Ranges"/>, built once: the values never change.</summary>
    private IReadOnlyList<KeyRange>? _ranges;

    public Field<T> Field => member;

    public override bool Matches(T document)
    {
        var actual = member.Get(document);
        foreach (var value in values)
        {
            if (FieldKeys.IsNull(actual) ? FieldKeys.IsNull(value) : !FieldKeys.IsNull(value) && member.Comparer.Compare(actual, value) == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// One prefix range per distinct value a document can hold, in key order: the duplicates of a value (equal keys: the
    /// same string, the same instant) are read once, and a null where the member cannot be null, which matches nothing, not
    /// at all. Built once and shared: callers never change it.
    /// </summary>
    public IReadOnlyList<KeyRange>? Ranges() => _ranges ??= Build();

    private List<KeyRange> Build()
    {
        var encoded = values.Where(v => member.IsNullable || !FieldKeys.IsNull(v)).Select(v => FieldKeys.Encode(member, v)).ToList();
        encoded.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        var ranges = new List<KeyRange>();
        byte[]? previous = null;
        foreach (var key in encoded)
        {
            if (previous is null || !previous.AsSpan().SequenceEqual(key))
            {
                ranges.Add(KeyRange.Prefix(key));
            }

            previous = key;
        }

        return ranges;
    }

    public double EstimateRows(long total, bool unique) => Ranges()!.Count * (unique ? 1 : Math.Max(1, total / 100.0));

    public bool CanMatchNull => values.Any(v => FieldKeys.IsNull(v));

    public bool IsEquality => true;

    /// <summary>
    /// The member and its values, for example <c>Age in (1, 2, 3)</c>; past <see cref="ShownValues"/> values, the first
    /// ones and the count (<c>Age in (1, 2, 3, 4, 5, 6, 7, 8, ... (4096 values))</c>), so that Explain stays readable.
    /// When the list repeats values, or holds nulls for a member that cannot be null, the count also says how many
    /// distinct values a plan reads (<see cref="Ranges"/>): <c>(4096 values, 4000 distinct)</c>.
    /// </summary>
    public override string ToString()
    {
        if (values.Length <= ShownValues)
        {
            return $"{member.Name} in ({string.Join(", ", values.Select(Comparison<T, TValue>.Show))})";
        }

        var distinct = Ranges()!.Count;
        var count = distinct == values.Length
            ? string.Create(CultureInfo.InvariantCulture, $"{values.Length} values")
            : string.Create(CultureInfo.InvariantCulture, $"{values.Length} values, {distinct} distinct");
        return $"{member.Name} in ({string.Join(", ", values.Take(ShownValues).Select(Comparison<T, TValue>.Show))}, ... ({count}))";
    }
}

internal sealed class StartsWithCondition<T>(StringField<T> member, string prefix) : Condition<T>, IFieldCondition<T>
    where T : class
{
    public Field<T> Field => member;

    public override bool Matches(T document) => member.Get(document) is { } value && value.StartsWith(prefix, StringComparison.Ordinal);

    public IReadOnlyList<KeyRange>? Ranges()
    {
        var writer = new KeyWriter(stackalloc byte[64]);
        try
        {
            if (member.IsNullable)
            {
                writer.WriteNotNull();
            }

            writer.WriteStringPrefix(prefix);
            return [KeyRange.Prefix(writer.ToArray())];
        }
        finally
        {
            writer.Dispose();
        }
    }

    public double EstimateRows(long total, bool unique) => total / 20.0;

    public bool CanMatchNull => false;

    public bool IsEquality => false;

    public override string ToString() => $"{member.Name} starts with \"{prefix}\"";
}

internal sealed class AndCondition<T>(Condition<T> left, Condition<T> right) : Condition<T>
    where T : class
{
    public Condition<T> Left => left;

    public Condition<T> Right => right;

    public override bool Matches(T document) => left.Matches(document) && right.Matches(document);

    public override string ToString() => $"({left} and {right})";
}

internal sealed class OrCondition<T>(Condition<T> left, Condition<T> right) : Condition<T>
    where T : class
{
    public Condition<T> Left => left;

    public Condition<T> Right => right;

    public override bool Matches(T document) => left.Matches(document) || right.Matches(document);

    public override string ToString() => $"({left} or {right})";
}

internal sealed class NotCondition<T>(Condition<T> inner) : Condition<T>
    where T : class
{
    public override bool Matches(T document) => !inner.Matches(document);

    public override string ToString() => $"not {inner}";
}
