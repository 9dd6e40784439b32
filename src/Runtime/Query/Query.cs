using Persistence.Collections;

namespace Persistence.Query;

/// <summary>
/// A typed query over a collection: <c>users.Query().Where(u => u.Age.AtLeast(18) &amp; u.Name.StartsWith("A"))
/// .OrderBy(u => u.Age).Take(10).ToList()</c>. Immutable: every builder call returns a new query. Results stream; a
/// query without a transaction reads one snapshot per enumeration; in a write transaction, an enumeration collects its
/// results when it starts, so the transaction may change them while it runs. <see cref="Explain"/> shows the chosen plan.
/// </summary>
/// <remarks>
/// <para>
/// Without an OrderBy, results come in the order of the access path the planner chose (primary-key order for scans,
/// index order for index paths); as in SQL, use OrderBy when Skip and Take must select a defined window. With one,
/// documents equal in every ordering come in primary-key order (ascending, unless the ordering ends with the key
/// descending), whichever path runs.
/// </para>
/// <para>
/// The planner serves the conditions on an index's members together: equality on its leading members and a range on
/// the next one are one bounded range of the index, which yields the documents in that member's order, read backwards
/// for a descending ordering; an ordering it provides is not sorted in memory (<see cref="Explain"/> says which).
/// </para>
/// </remarks>
/// <typeparam name="T">The document type.</typeparam>
/// <typeparam name="TKey">The primary key type.</typeparam>
/// <typeparam name="TFields">The generated fields of <typeparamref name="T"/> that conditions are built from.</typeparam>
public sealed partial class Query<T, TKey, TFields> : IEnumerable<T>
    where T : class
{
    private readonly Collection<T, TKey> _collection;
    private readonly TFields _fields;
    private readonly Transaction? _transaction;
    private readonly Condition<T>? _where;
    private readonly Ordering<T>[] _order;
    private readonly int _skip;
    private readonly int _take;

    /// <summary>Starts a query (generated collections call this).</summary>
    public Query(Collection<T, TKey> collection, TFields fields, Transaction? transaction)
        : this(collection, fields, transaction, null, [], 0, -1)
    {
    }

    private Query(Collection<T, TKey> collection, TFields fields, Transaction? transaction, Condition<T>? where, Ordering<T>[] order, int skip, int take)
    {
        ArgumentNullException.ThrowIfNull(collection);
        _collection = collection;
        _fields = fields;
        _transaction = transaction;
        _where = where;
        _order = order;
        _skip = skip;
        _take = take;
    }

    /// <summary>Keeps the documents that satisfy <paramref name="condition"/> (and any earlier Where).</summary>
    public Query<T, TKey, TFields> Where(Func<TFields, Condition<T>> condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return Where(condition(_fields));
    }

    /// <summary>Keeps the documents that satisfy <paramref name="condition"/> (and any earlier Where).</summary>
    public Query<T, TKey, TFields> Where(Condition<T> condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ThrowIfPaged(nameof(Where));
        return With(where: _where is null ? condition : _where & condition);
    }

    /// <summary>Orders by a member, ascending (replacing any earlier ordering).</summary>
    public Query<T, TKey, TFields> OrderBy(Func<TFields, Field<T>> field) => ThrowIfPaged(nameof(OrderBy)).With(order: [new Ordering<T>(Pick(field), false)]);

    /// <summary>Orders by a member, descending (replacing any earlier ordering).</summary>
    public Query<T, TKey, TFields> OrderByDescending(Func<TFields, Field<T>> field) => ThrowIfPaged(nameof(OrderByDescending)).With(order: [new Ordering<T>(Pick(field), true)]);

    /// <summary>
    /// Adds a secondary ordering, ascending. <c>ThenBy</c> the primary key after an ordering an index provides costs
    /// nothing: the index yields equal values in key order.
    /// </summary>
    public Query<T, TKey, TFields> ThenBy(Func<TFields, Field<T>> field) => ThenBy(field, false);

    /// <summary>Adds a secondary ordering, descending.</summary>
    public Query<T, TKey, TFields> ThenByDescending(Func<TFields, Field<T>> field) => ThenBy(field, true);

    /// <summary>
    /// Skips the first <paramref name="count"/> results. Skip and Take compose as in LINQ, each applying to what the
    /// calls before it return: <c>Skip(2).Skip(3)</c> skips 5, <c>Take(5).Skip(2)</c> returns at most 3.
    /// </summary>
    public Query<T, TKey, TFields> Skip(int count) =>
        count < 0
            ? throw new QueryException($"Skip must not be negative; it is {count}.")
            : With(skip: (int)Math.Min(int.MaxValue, (long)_skip + count), take: _take < 0 ? -1 : Math.Max(0, _take - count));

    /// <summary>
    /// Returns at most <paramref name="count"/> results, of those the calls before it return: <c>Take(10).Take(20)</c>
    /// returns at most 10.
    /// </summary>
    public Query<T, TKey, TFields> Take(int count) =>
        count < 0 ? throw new QueryException($"Take must not be negative; it is {count}.") : With(take: _take < 0 ? count : Math.Min(_take, count));

    private Query<T, TKey, TFields> ThenBy(Func<TFields, Field<T>> field, bool descending)
    {
        ThrowIfPaged(descending ? nameof(ThenByDescending) : nameof(ThenBy));
        if (_order.Length == 0)
        {
            throw new QueryException("ThenBy needs an OrderBy first.");
        }

        return With(order: [.. _order, new Ordering<T>(Pick(field), descending)]);
    }

    /// <summary>
    /// A filter or an ordering applies to the whole query, before Skip and Take. After them it would mean, in LINQ,
    /// filtering or sorting only the page they selected: the builder refuses rather than quietly mean something else.
    /// </summary>
    private Query<T, TKey, TFields> ThrowIfPaged(string call) =>
        _skip > 0 || _take >= 0
            ? throw new QueryException($"{call} must come before Skip and Take: they select a page of the filtered, ordered results, and a {call} after them would not apply to that page alone.")
            : this;

    private Field<T> Pick(Func<TFields, Field<T>> field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field(_fields);
    }

    private Query<T, TKey, TFields> With(Condition<T>? where = null, Ordering<T>[]? order = null, int? skip = null, int? take = null) =>
        new(_collection, _fields, _transaction, where ?? _where, order ?? _order, skip ?? _skip, take ?? _take);
}
