using Persistence.Collections;

namespace Persistence.Query;

/// <summary>
/// A queryable member of a document type, emitted by the source generator (<c>u => u.Age</c> in a query). It knows how
/// to read the member and which indexes (or the primary key) it leads, which lets the planner use them.
/// </summary>
public abstract class Field<T>
    where T : class
{
    private protected Field(string name, IReadOnlyList<int> indexes, bool isPrimaryKey)
    {
        Name = name;
        Indexes = indexes;
        IsPrimaryKey = isPrimaryKey;
    }

    /// <summary>The member name.</summary>
    public string Name { get; }

    /// <summary>The schema ordinals of the indexes whose first member this is.</summary>
    internal IReadOnlyList<int> Indexes { get; }

    /// <summary>True when this member is (the first member of) the primary key.</summary>
    internal bool IsPrimaryKey { get; }

    /// <summary>True when the member's key encoding starts with a null marker.</summary>
    internal abstract bool IsNullable { get; }

    /// <summary>
    /// True when the member's keys may tell apart values its comparer calls equal: the Kind of a DateTime, in the index
    /// entries that databases written before 2026-11-23 may still hold with the value's own Kind (until RepairIndexes;
    /// keys are written as stored, in UTC, now). A DateTimeOffset's keys are its instant.
    /// </summary>
    internal virtual bool KeyRefinesEquality => false;

    /// <summary>Compares two documents by this member (for ordering).</summary>
    internal abstract int Compare(T x, T y);

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>
/// A queryable member of type <typeparamref name="TValue"/>. Values compare by the member's comparer, in the order
/// <c>OrderBy</c> sorts them and index keys hold them: the type's <c>CompareTo</c>, so a NaN equals NaN and precedes every
/// number (where C#'s <c>==</c> and <c>&lt;</c> leave NaN unordered), -0.0 equals 0.0 and 1.0m equals 1.00m; a
/// DateTimeOffset compares its instant, a DateTime its value as stored (in UTC), a string its UTF-16 code units (ordinal).
/// Nulls follow C#'s lifted operators: a null member never satisfies a comparison, and only <see cref="Is"/>(null)
/// matches it.
/// </summary>
public class Field<T, TValue> : Field<T>
    where T : class
{
    private readonly Func<T, TValue> _getter;

    /// <summary>Creates the field (generated code).</summary>
    public Field(string name, Func<T, TValue> getter, KeyPartWriter<TValue> keyWriter, IComparer<TValue> comparer,
        IReadOnlyList<int> indexes, bool isPrimaryKey, bool isNullable)
        : base(name, indexes, isPrimaryKey)
    {
        _getter = getter;
        KeyWriter = keyWriter;
        Comparer = comparer;
        IsNullable = isNullable;
    }

    internal KeyPartWriter<TValue> KeyWriter { get; }

    internal IComparer<TValue> Comparer { get; }

    /// <inheritdoc />
    internal override bool IsNullable { get; }

    /// <inheritdoc />
    internal override bool KeyRefinesEquality { get; } = typeof(TValue) == typeof(DateTime) || typeof(TValue) == typeof(DateTime?);

    internal TValue Get(T document) => _getter(document);

    /// <summary>The member equals <paramref name="value"/>.</summary>
    public Condition<T> Is(TValue value) => new Comparison<T, TValue>(this, ComparisonKind.Equal, value);

    /// <summary>The member does not equal <paramref name="value"/> (never uses an index).</summary>
    public Condition<T> IsNot(TValue value) => new Comparison<T, TValue>(this, ComparisonKind.NotEqual, value);

    /// <summary>The member is less than <paramref name="value"/>.</summary>
    public Condition<T> LessThan(TValue value) => new Comparison<T, TValue>(this, ComparisonKind.Less, value);

    /// <summary>The member is at most <paramref name="value"/>.</summary>
    public Condition<T> AtMost(TValue value) => new Comparison<T, TValue>(this, ComparisonKind.LessOrEqual, value);

    /// <summary>The member is greater than <paramref name="value"/>.</summary>
    public Condition<T> GreaterThan(TValue value) => new Comparison<T, TValue>(this, ComparisonKind.Greater, value);

    /// <summary>The member is at least <paramref name="value"/>.</summary>
    public Condition<T> AtLeast(TValue value) => new Comparison<T, TValue>(this, ComparisonKind.GreaterOrEqual, value);

    /// <summary>
    /// The member lies in [<paramref name="low"/>, <paramref name="high"/>], both included (like SQL BETWEEN), unlike an
    /// index accessor's <c>Range(from, to)</c>, which excludes <c>to</c>.
    /// </summary>
    public Condition<T> Between(TValue low, TValue high) => new BetweenCondition<T, TValue>(this, low, high);

    /// <summary>The member equals one of <paramref name="values"/>.</summary>
    public Condition<T> In(params IEnumerable<TValue> values) => new InCondition<T, TValue>(this, [.. values]);

    internal override int Compare(T x, T y) => Comparer.Compare(_getter(x), _getter(y));
}

/// <summary>A queryable string member: ordinal comparisons, plus <see cref="StartsWith"/>.</summary>
public sealed class StringField<T> : Field<T, string?>
    where T : class
{
    /// <summary>Creates the field (generated code).</summary>
    public StringField(string name, Func<T, string?> getter, KeyPartWriter<string?> keyWriter, IReadOnlyList<int> indexes, bool isPrimaryKey, bool isNullable)
        : base(name, getter, keyWriter, StringComparer.Ordinal, indexes, isPrimaryKey, isNullable)
    {
    }

    /// <summary>The member starts with <paramref name="prefix"/> (ordinal).</summary>
    public Condition<T> StartsWith(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return new StartsWithCondition<T>(this, prefix);
    }
}
