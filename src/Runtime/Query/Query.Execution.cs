using System.Collections;

namespace Persistence.Query;

public sealed partial class Query<T, TKey, TFields>
{
    /// <summary>Streams the results.</summary>
    public IEnumerator<T> GetEnumerator() => Run(_transaction).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Streams the results asynchronously.</summary>
    public async IAsyncEnumerable<T> AsAsyncEnumerable([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var document in this)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return document;
            await Task.CompletedTask.ConfigureAwait(false);
        }
    }

    /// <summary>The results as a list.</summary>
    public List<T> ToList() => [.. this];

    /// <summary>The first result; throws <see cref="QueryException"/> when there is none.</summary>
    public T First() => FirstOrDefault() ?? throw new QueryException($"The query on '{_collection.Name}' returned no document.");

    /// <summary>The first result, or null.</summary>
    public T? FirstOrDefault()
    {
        foreach (var document in Take(1))
        {
            return document;
        }

        return null;
    }

    /// <summary>True when the query has at least one result.</summary>
    public bool Any() => FirstOrDefault() is not null;

    /// <summary>The number of results. When an index alone answers the condition, only index entries are counted.</summary>
    public long Count() => _collection.Read(_transaction, tx =>
    {
        var plan = QueryPlanner.Plan(_collection, tx, _where, _order);
        if (_skip == 0 && _take < 0)
        {
            if (_where is null)
            {
                return _collection.Count(tx);
            }

            if (plan.Exact && plan.Path is IndexPath<T, TKey> index && !_collection.HasExpiry)
            {
                return index.CountEntries(_collection, tx);
            }
        }

        return (long)Pipeline(plan, tx, isRead: false).Count(); // counting reads no document: none slides
    });

    /// <summary>Deletes every result (and its index entries) in one transaction; returns how many were deleted.</summary>
    public int Delete(WriteTransaction? transaction = null) => _collection.Run(transaction ?? _transaction as WriteTransaction, tx =>
    {
        var keys = Keys(tx).ToList();
        var deleted = 0;
        foreach (var key in keys)
        {
            deleted += _collection.DeleteEncoded(tx, key) ? 1 : 0;
        }

        return deleted;
    });

    /// <summary>A description of the plan: the access path, the filter, the ordering and the limits.</summary>
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
            steps.Add($"skip {_skip}");
        }

        if (_take >= 0)
        {
            steps.Add($"take {_take}");
        }

        return string.Join(" -> ", steps);
    });

    private IEnumerable<T> Run(Transaction? transaction)
    {
        var owned = transaction is null ? _collection.Database.BeginRead() : null;
        try
        {
            var tx = transaction ?? owned!;
            foreach (var document in Pipeline(QueryPlanner.Plan(_collection, tx, _where, _order), tx))
            {
                yield return document;
            }
        }
        finally
        {
            owned?.Dispose();
        }
    }

    private IEnumerable<T> Pipeline(QueryPlan<T, TKey> plan, Transaction transaction, bool isRead = true)
    {
        var documents = plan.Path.Documents(_collection, transaction, isRead);
        if (_where is { } where)
        {
            documents = documents.Where(where.Matches);
        }

        if (!plan.Ordered)
        {
            documents = Sort(documents);
        }

        if (_skip > 0)
        {
            documents = documents.Skip(_skip);
        }

        return _take >= 0 ? documents.Take(_take) : documents;
    }

    private IEnumerable<byte[]> Keys(Transaction transaction)
    {
        var plan = QueryPlanner.Plan(_collection, transaction, _where, _order);
        foreach (var document in Pipeline(plan, transaction))
        {
            yield return _collection.EncodeKey(_collection.Schema.GetKey(document));
        }
    }

    private IEnumerable<T> Sort(IEnumerable<T> documents)
    {
        IOrderedEnumerable<T>? sorted = null;
        foreach (var (field, descending) in _order)
        {
            var comparer = Comparer<T>.Create(field.Compare);
            sorted = sorted is null
                ? (descending ? documents.OrderByDescending(d => d, comparer) : documents.OrderBy(d => d, comparer))
                : (descending ? sorted.ThenByDescending(d => d, comparer) : sorted.ThenBy(d => d, comparer));
        }

        return sorted ?? documents;
    }
}
