using System.Collections;
using System.Globalization;

namespace Persistence.Query;

public sealed partial class Query<T, TKey, TFields>
{
    /// <summary>Streams the results.</summary>
    public IEnumerator<T> GetEnumerator() => Run(_transaction).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Streams the results asynchronously.</summary>
    /// <remarks>The token is checked before each read, the first included: a cancelled enumeration throws <see cref="OperationCanceledException"/> also when no result is left.</remarks>
    public async IAsyncEnumerable<T> AsAsyncEnumerable([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested(); // before the first read: no snapshot is opened for a cancelled call
        using var documents = this.GetEnumerator();
        while (documents.MoveNext())
        {
            yield return documents.Current;
            await Task.CompletedTask.ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested(); // before the next read, the one that finds the end included
        }
    }

    /// <summary>The results as a list.</summary>
    public List<T> ToList() => [.. this];

    /// <summary>The first result.</summary>
    /// <remarks>
    /// Where LINQ's <c>First</c> throws <see cref="InvalidOperationException"/> for an empty sequence, this throws
    /// <see cref="DocumentException"/> with <see cref="ErrorCode.DocumentNotFound"/>, as an update of a missing document
    /// does: the query is valid, it matched nothing. Use <see cref="FirstOrDefault"/> to get null instead.
    /// </remarks>
    /// <exception cref="DocumentException">No document matches (<see cref="ErrorCode.DocumentNotFound"/>).</exception>
    public T First() => FirstOrDefault()
        ?? throw new DocumentException(ErrorCode.DocumentNotFound, _collection.Name,
            $"The query on '{_collection.Name}' matched no document: First needs one (FirstOrDefault returns null instead).");

    /// <summary>The first result, or null when no document matches.</summary>
    public T? FirstOrDefault()
    {
        foreach (var document in Take(1))
        {
            return document;
        }

        return null;
    }

    /// <summary>
    /// True when the query has at least one result. Like <see cref="Count"/> (and a collection's <c>Contains</c>), it hands
    /// out no document, so the one it finds does not count as read: in a sliding-expiration collection it does not extend
    /// its life.
    /// </summary>
    public bool Any() => _collection.Read(_transaction, tx =>
        // Whether a result exists does not depend on their order: plan for the condition alone, and sort nothing.
        Pipeline(QueryPlanner.Plan(_collection, tx, _where, []), tx, isRead: false).Any());

    /// <summary>
    /// The number of results: with Skip and Take, the number in the page they select. When an index alone answers the
    /// condition, only index entries are counted.
    /// </summary>
    public long Count() => _collection.Read(_transaction, tx =>
    {
        // The count does not depend on the results' order, a page's neither (max(0, min(Take, results - Skip))): plan for
        // the condition alone, and order nothing.
        var plan = QueryPlanner.Plan(_collection, tx, _where, []);
        if (_where is null)
        {
            return Page(_collection.Count(tx));
        }

        if (_take < 0 && plan.Exact && plan.Path is IndexPath<T, TKey> index && !_collection.HasExpiry)
        {
            return Page(index.CountEntries(_collection, tx)); // with a Take, the pipeline stops at the page's end instead
        }

        return (long)Pipeline(plan, tx, isRead: false).Count(); // counting reads no document: none slides
    });

    /// <summary>How many of <paramref name="results"/> results the page Skip and Take select holds.</summary>
    private long Page(long results)
    {
        var page = Math.Max(0, results - _skip);
        return _take < 0 ? page : Math.Min(_take, page);
    }

    /// <summary>
    /// A description of the plan: the access path with its estimate, the filter, the ordering and the limits, for example
    /// <c>index 'Age' for Age >= 18 (est. 133 rows) -> filter Age >= 18 -> order by Age (from the access path) -> take 10</c>.
    /// The estimate is the one the planner ranked the path by: read from the index (or key) tree when several paths
    /// competed, else the conditions' fixed guess. An In list of more than eight values shows the first eight and the
    /// count. The same in every culture: numbers in the invariant culture, dates and times in ISO 8601 ("O"). An index path
    /// that reads several key ranges says how many (<c>in 6 key ranges</c>), and which members' conditions it leaves to
    /// the filter when In lists on several members of a composite index have more combinations than the planner expands
    /// into ranges (<c>in 1000 key ranges; Aisle left to the filter (Aisle's values would make 1000000 key ranges, over
    /// the cap of 4096)</c>).
    /// </summary>
    public string Explain() => _collection.Read(_transaction, tx =>
    {
        var plan = QueryPlanner.Plan(_collection, tx, _where, _order);
        var steps = new List<string> { plan.Path.Describe() };
        if (_where is not null)
        {
            steps.Add($"filter {_where}");
        }

        if (_order.Length > 0)
        {
            var order = string.Join(", ", _order.Select(o => o.Field.Name + (o.Descending ? " descending" : "")));
            steps.Add(plan.Ordered ? $"order by {order} (from the access path)" : $"sort by {order} (in memory)");
        }

        if (_skip > 0)
        {
            steps.Add(string.Create(CultureInfo.InvariantCulture, $"skip {_skip}"));
        }

        if (_take >= 0)
        {
            steps.Add(string.Create(CultureInfo.InvariantCulture, $"take {_take}"));
        }

        return string.Join(" -> ", steps);
    });

    private IEnumerable<T> Run(Transaction? transaction)
    {
        var owned = transaction is null ? _collection.Database.BeginRead() : null;
        try
        {
            var tx = transaction ?? owned!;
            // In a write transaction the results are a keyset fixed when the enumeration starts (Collection.Stable). It is
            // gathered from the pipeline's decoded documents, which the filter and the sort need, so each result is decoded
            // again when handed out; All, Range and the index accessors gather keys alone.
            foreach (var document in _collection.Stable(isRead => Pipeline(QueryPlanner.Plan(_collection, tx, _where, _order), tx, isRead), tx))
            {
                yield return document;
            }
        }
        finally
        {
            owned?.Dispose();
        }
    }

    /// <summary>
    /// The query's documents. With <paramref name="isRead"/> (results handed to the caller), each one returned counts as
    /// a read of it, which extends its life in a sliding-expiration collection; documents the filter drops, or that a
    /// sort or Skip passes over, are loaded without counting, so that a query does not keep alive what it only examined.
    /// </summary>
    private IEnumerable<T> Pipeline(QueryPlan<T, TKey> plan, Transaction transaction, bool isRead = true)
    {
        var documents = plan.Path.Documents(_collection, transaction);
        if (_where is { } where)
        {
            documents = documents.Where(where.Matches);
        }

        if (!plan.Ordered)
        {
            documents = Sort(documents, inKeyOrder: plan.Path.InPrimaryKeyOrder && !plan.Path.Descending);
        }
        else if (plan.Ties is { } ties)
        {
            // The path yields ties in another order than the query's (backwards, or by an index's further members, or
            // by the Kind a DateTime's key holds): put each run in key order. Otherwise results stream without a run held.
            documents = TiesInKeyOrder(documents, ties);
        }

        if (_skip > 0)
        {
            documents = documents.Skip(_skip);
        }

        if (_take >= 0)
        {
            documents = documents.Take(_take);
        }

        return isRead && _collection.SlidesOnRead ? documents.Select(document => _collection.RecordRead(transaction, document)) : documents;
    }

    /// <summary>Sorts by the ordering, ties in primary-key order (the sort is stable, so a path in key order keeps it).</summary>
    private IEnumerable<T> Sort(IEnumerable<T> documents, bool inKeyOrder)
    {
        IOrderedEnumerable<T>? sorted = null;
        foreach (var (field, descending) in _order)
        {
            var comparer = Comparer<T>.Create(field.Compare);
            sorted = sorted is null
                ? (descending ? documents.OrderByDescending(d => d, comparer) : documents.OrderBy(d => d, comparer))
                : (descending ? sorted.ThenByDescending(d => d, comparer) : sorted.ThenBy(d => d, comparer));
        }

        return sorted is null ? documents : inKeyOrder ? sorted : sorted.ThenBy(EncodedKey, KeyOrder);
    }

    /// <summary>Reorders each run of documents equal in the first orderings by primary key, streaming run by run.</summary>
    private IEnumerable<T> TiesInKeyOrder(IEnumerable<T> documents, TieOrder ties)
    {
        var run = new List<T>();
        foreach (var document in documents)
        {
            if (run.Count > 0 && !Tied(run[0], document))
            {
                foreach (var tie in InKeyOrder(run))
                {
                    yield return tie;
                }

                run.Clear();
            }

            run.Add(document);
        }

        foreach (var tie in InKeyOrder(run))
        {
            yield return tie;
        }

        IEnumerable<T> InKeyOrder(List<T> run) =>
            run.Count < 2 ? [.. run] : ties.Descending ? [.. run.OrderByDescending(EncodedKey, KeyOrder)] : [.. run.OrderBy(EncodedKey, KeyOrder)];

        bool Tied(T x, T y)
        {
            for (var i = 0; i < ties.Orderings; i++)
            {
                if (_order[i].Field.Compare(x, y) != 0)
                {
                    return false;
                }
            }

            return true;
        }
    }

    private byte[] EncodedKey(T document) => _collection.EncodeKey(_collection.Schema.GetKey(document));

    private static readonly Comparer<byte[]> KeyOrder = Comparer<byte[]>.Create(static (x, y) => x.AsSpan().SequenceCompareTo(y));
}
