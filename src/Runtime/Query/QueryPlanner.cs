using Persistence.Collections;

namespace Persistence.Query;

/// <summary>
/// Chooses how a query finds its documents. Every condition on a member that leads an index (or the primary key)
/// becomes a candidate path of key ranges; the cheapest by a simple row estimate wins, two similar index paths may be
/// intersected, an OR whose branches are all indexable becomes a union, an ordering that an index provides avoids a
/// sort when no condition narrows the search much, and anything else is a full scan. The chosen path only narrows the
/// candidates: every document is checked against the whole condition.
/// </summary>
internal static class QueryPlanner
{
    public static QueryPlan<T, TKey> Plan<T, TKey>(Collection<T, TKey> collection, Transaction transaction, Condition<T>? where, IReadOnlyList<Ordering<T>> order)
        where T : class
    {
        long total = transaction.Count(collection.Documents);
        var candidates = new List<(AccessPath<T, TKey> Path, bool Exact)>();
        var terms = where is null ? [] : Conjuncts(where);
        foreach (var term in terms)
        {
            foreach (var path in PathsFor(collection, term, total, descending: false))
            {
                candidates.Add((path, terms.Count == 1));
            }

            if (term is OrCondition<T> or && UnionFor(collection, or, total) is { } union)
            {
                candidates.Add((union, false));
            }
        }

        var ranked = candidates.OrderBy(c => c.Path.Estimate).ToList();
        (AccessPath<T, TKey> Path, bool Exact)? best = ranked.Count > 0 ? ranked[0] : null;
        var indexPaths = ranked.Where(c => c.Path is IndexPath<T, TKey>).Select(c => c.Path).ToList();
        if (indexPaths.Count >= 2 && best?.Path is IndexPath<T, TKey> first && indexPaths[1] is IndexPath<T, TKey> second && first.Index != second.Index)
        {
            var (a, b) = (first.Estimate, second.Estimate);
            var intersected = (Math.Min(a, b) * 0.5) + ((a + b) * 0.1);
            if (intersected < Math.Min(a, b))
            {
                best = (new IntersectionPath<T, TKey>(second, first, intersected), false);
            }
        }

        var fullScan = new PrimaryKeyPath<T, TKey>(collection.Name, [KeyRange.All], order.Count > 0 && order[0].Field.IsPrimaryKey && order[0].Descending, total, null, null);
        var chosen = best ?? (fullScan, where is null);
        if (order.Count > 0 && !ProvidesOrder(chosen.Path, order) && chosen.Path.Estimate > total / 4.0)
        {
            if (OrderedScan(collection, order[0], total) is { } ordered)
            {
                chosen = (ordered, false);
            }
        }

        return new QueryPlan<T, TKey>(chosen.Path, chosen.Exact && order.Count == 0, ProvidesOrder(chosen.Path, order));
    }

    /// <summary>True when the path yields documents already in the requested order.</summary>
    private static bool ProvidesOrder<T, TKey>(AccessPath<T, TKey> path, IReadOnlyList<Ordering<T>> order)
        where T : class
    {
        if (order.Count == 0)
        {
            return true;
        }

        var firstOrder = order[0];
        // The field may be only the first member of a composite primary key: key order does not provide a ThenBy.
        if (firstOrder.Field.IsPrimaryKey && path.InPrimaryKeyOrder && path.Descending == firstOrder.Descending)
        {
            return order.Count == 1;
        }

        // An index provides exactly a one-field ordering: the query puts the ties it yields in primary-key order (a
        // descending or composite index does not yield them so).
        return order.Count == 1 && ReferenceEquals(path.Order, firstOrder.Field) && path.Descending == firstOrder.Descending && path is IndexPath<T, TKey>;
    }

    private static AccessPath<T, TKey>? OrderedScan<T, TKey>(Collection<T, TKey> collection, Ordering<T> order, long total)
        where T : class
    {
        if (order.Field.IsPrimaryKey)
        {
            return new PrimaryKeyPath<T, TKey>(collection.Name, [KeyRange.All], order.Descending, total, null, order.Field);
        }

        // Only an index with an entry for every document can replace a scan: a unique index has none for a document
        // whose indexed values are all null, which a nullable leading member allows.
        foreach (var index in order.Field.Indexes)
        {
            var schema = collection.Schema.Indexes[index];
            if (!schema.Unique || !order.Field.IsNullable)
            {
                return new IndexPath<T, TKey>(index, schema.Name, [KeyRange.All], order.Descending, total, $"order by {order.Field.Name}", order.Field);
            }
        }

        return null;
    }

    private static IEnumerable<AccessPath<T, TKey>> PathsFor<T, TKey>(Collection<T, TKey> collection, Condition<T> term, long total, bool descending)
        where T : class
    {
        if (term is not IFieldCondition<T> condition || (!condition.Field.IsPrimaryKey && condition.Field.Indexes.Count == 0) || condition.Ranges() is not { } ranges)
        {
            yield break;
        }

        var field = condition.Field;
        if (field.IsPrimaryKey)
        {
            yield return new PrimaryKeyPath<T, TKey>(collection.Name, ranges, descending, Math.Min(total, condition.EstimateRows(total, unique: true)), term.ToString(), field);
        }

        foreach (var index in field.Indexes)
        {
            var schema = collection.Schema.Indexes[index];
            if (schema.Unique && condition.CanMatchNull)
            {
                continue; // a unique index holds no entries for null values
            }

            var unique = schema.Unique && schema.Members.Count == 1;
            yield return new IndexPath<T, TKey>(index, schema.Name, ranges, descending, Math.Min(total, condition.EstimateRows(total, unique)), term.ToString(), field);
        }
    }

    private static UnionPath<T, TKey>? UnionFor<T, TKey>(Collection<T, TKey> collection, OrCondition<T> or, long total)
        where T : class
    {
        var branches = new List<AccessPath<T, TKey>>();
        foreach (var branch in Disjuncts(or))
        {
            var best = PathsFor(collection, branch, total, descending: false).MinBy(p => p.Estimate);
            if (best is null)
            {
                return null;
            }

            branches.Add(best);
        }

        return new UnionPath<T, TKey>(branches);
    }

    private static List<Condition<T>> Conjuncts<T>(Condition<T> condition)
        where T : class => condition is AndCondition<T> and ? [.. Conjuncts(and.Left), .. Conjuncts(and.Right)] : [condition];

    private static List<Condition<T>> Disjuncts<T>(Condition<T> condition)
        where T : class => condition is OrCondition<T> or ? [.. Disjuncts(or.Left), .. Disjuncts(or.Right)] : [condition];
}

/// <summary>The chosen path; whether it alone implements the whole condition (so counting needs no documents); whether it yields the requested order.</summary>
internal sealed record QueryPlan<T, TKey>(AccessPath<T, TKey> Path, bool Exact, bool Ordered)
    where T : class;

/// <summary>One ordering key of a query.</summary>
internal readonly record struct Ordering<T>(Field<T> Field, bool Descending)
    where T : class;
