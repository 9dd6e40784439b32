using Persistence.Collections;

namespace Persistence.Query;

/// <summary>
/// Chooses how a query finds its documents. The conditions of the top-level AND on the members of an index (or the
/// primary key) become one candidate path of key ranges per index: equality on its leading members, then a range (or
/// equality) on the next one. The cheapest by a simple row estimate wins, two similar index paths may be intersected,
/// an OR whose branches are all indexable becomes a union, a path read in the direction the ordering asks for provides
/// it (a large path that does not is replaced by one that does), and anything else is a full scan. The chosen path only
/// narrows the candidates: every document is checked against the whole condition.
/// </summary>
/// <remarks>
/// The estimates start as the conditions' fixed guesses (<see cref="IFieldCondition{T}.EstimateRows"/>). When two or more
/// candidates compete, or one competes with an ordered scan of an index, and no point lookup among them settles the
/// choice (<see cref="WorthDiving{T, TKey}(Choice{T, TKey}, double)"/>), each but the point lookups is estimated
/// instead from its tree: the entries its key ranges hold, by descending to both bounds of each range in the
/// transaction's snapshot (<see cref="EstimateEntries"/>). The ranking, the intersection's and the union's costs and the switch to an ordered path all use those estimates, and
/// <c>Explain</c> shows the chosen path's.
/// </remarks>
internal static partial class QueryPlanner
{
    public static QueryPlan<T, TKey> Plan<T, TKey>(Collection<T, TKey> collection, Transaction transaction, Condition<T>? where, IReadOnlyList<Ordering<T>> order)
        where T : class
    {
        long total = transaction.Count(collection.Documents);
        var conjuncts = where is null ? [] : Conjuncts(where);
        var choices = PathsFor(collection, Terms(collection, conjuncts), conjuncts.Count, total, order);
        foreach (var conjunct in conjuncts)
        {
            if (conjunct is OrCondition<T> or && UnionFor(collection, transaction, or, total, dive: false) is { } union)
            {
                choices.Add(new Choice<T, TKey>(union, false, [conjunct]));
            }
        }

        if (WorthDiving(collection, choices, order, total))
        {
            choices = Dived(collection, transaction, choices, total);
        }

        // The cheapest first; of equal estimates, one that provides the ordering (best with its ties), then the narrower
        // index (smaller entries).
        var ranked = choices.OrderBy(c => c.Path.Estimate).ThenBy(c => OrderRank(c.Path, order))
            .ThenBy(c => c.Path is IndexPath<T, TKey> index ? index.OrderedBy.Count + index.Fixed.Count : 0).ToList();
        var chosen = ranked.Count > 0 ? ranked[0] : null;
        if (chosen?.Path is IndexPath<T, TKey> first
            && ranked.FirstOrDefault(c => c.Path is IndexPath<T, TKey> other && other.Index != first.Index && !c.Uses.Intersect(chosen.Uses).Any())
                is { Path: IndexPath<T, TKey> second })
        {
            var (a, b) = (first.Estimate, second.Estimate);
            var intersected = (Math.Min(a, b) * 0.5) + ((a + b) * 0.1);
            if (intersected < Math.Min(a, b))
            {
                chosen = new Choice<T, TKey>(new IntersectionPath<T, TKey>(second, first, intersected), false, []);
            }
        }

        var fullScan = new PrimaryKeyPath<T, TKey>(collection.Name, [KeyRange.All], order.Count > 0 && order[0].Field.IsPrimaryKey && order[0].Descending, total, null);
        chosen ??= new Choice<T, TKey>(fullScan, where is null, []);
        if (order.Count > 0 && !OrderFor(chosen.Path, order).Ordered && chosen.Path.Estimate > total / 4.0)
        {
            // Reading more than a quarter of the documents to sort them in memory: read instead a path that provides the
            // order, the cheapest candidate that does or else the whole of an index (or the keys) in that order.
            if (ranked.FirstOrDefault(c => OrderFor(c.Path, order).Ordered) is { } ordered)
            {
                chosen = ordered;
            }
            else if (OrderedScan(collection, order, total) is { } scan)
            {
                chosen = new Choice<T, TKey>(scan, false, []);
            }
        }

        var (isOrdered, ties) = OrderFor(chosen.Path, order);
        return new QueryPlan<T, TKey>(chosen.Path, chosen.Exact, isOrdered, ties);
    }

    /// <summary>
    /// A scan of every document in the order's order: the keys, or the whole of an index the first ordering member leads
    /// that has an entry for every document (not a unique index on a nullable leading member), preferring one whose
    /// order needs no reordering of ties.
    /// </summary>
    private static AccessPath<T, TKey>? OrderedScan<T, TKey>(Collection<T, TKey> collection, IReadOnlyList<Ordering<T>> order, long total)
        where T : class
    {
        var field = order[0].Field;
        if (field.IsPrimaryKey)
        {
            return new PrimaryKeyPath<T, TKey>(collection.Name, [KeyRange.All], order[0].Descending, total, null);
        }

        AccessPath<T, TKey>? best = null;
        foreach (var index in field.Indexes)
        {
            var schema = collection.Schema.Indexes[index];
            if (schema.Unique && field.IsNullable)
            {
                continue; // no entry for a document whose indexed values are all null
            }

            var term = "order by " + string.Join(", ", order.Select(o => o.Field.Name));
            var path = new IndexPath<T, TKey>(index, schema.Name, [KeyRange.All], order[0].Descending, total, term, schema.Members, [], schema.Unique);
            var (ordered, ties) = OrderFor(path, order);
            if (ordered && ties is null)
            {
                return path;
            }

            best ??= ordered ? path : null;
        }

        return best;
    }

    /// <summary>0 when the path provides the ordering with its ties, 1 when the query must reorder ties, 2 when it must sort.</summary>
    private static int OrderRank<T, TKey>(AccessPath<T, TKey> path, IReadOnlyList<Ordering<T>> order)
        where T : class => OrderFor(path, order) switch
        {
            (true, null) => 0,
            (true, _) => 1,
            _ => 2,
        };

    /// <summary>
    /// The union of the cheapest path of each branch of <paramref name="or"/>, or null when a branch has none; with
    /// <paramref name="dive"/>, each branch's candidates are estimated from their trees first, those the point-lookup rule
    /// lets be within the branch (<see cref="WorthDiving{T, TKey}(Choice{T, TKey}, double)"/>): a branch that looks up
    /// <c>k</c> keys estimates only the paths that cost fewer than <c>k</c> descents, and one that looks up a single key
    /// none. The union counts those descents, which decide whether it is estimated at all.
    /// </summary>
    private static UnionPath<T, TKey>? UnionFor<T, TKey>(Collection<T, TKey> collection, Transaction transaction, OrCondition<T> or, long total, bool dive)
        where T : class
    {
        var branches = new List<AccessPath<T, TKey>>();
        var descents = 0;
        foreach (var branch in Disjuncts(or))
        {
            var conjuncts = Conjuncts(branch);
            var candidates = PathsFor(collection, Terms(collection, conjuncts), conjuncts.Count, total, []);
            var seeks = LookupSeeks(candidates);
            foreach (var candidate in candidates)
            {
                descents += WorthDiving(candidate, seeks) ? Descents(candidate.Path) : 0;
            }

            if (dive)
            {
                candidates = candidates.ConvertAll(c => WorthDiving(c, seeks) ? c with { Path = Dived(collection, transaction, c.Path, total) } : c);
            }

            var best = candidates.MinBy(c => c.Path.Estimate);
            if (best is null)
            {
                return null;
            }

            branches.Add(best.Path);
        }

        return new UnionPath<T, TKey>(branches, descents);
    }

    private static List<Condition<T>> Conjuncts<T>(Condition<T> condition)
        where T : class => condition is AndCondition<T> and ? [.. Conjuncts(and.Left), .. Conjuncts(and.Right)] : [condition];

    private static List<Condition<T>> Disjuncts<T>(Condition<T> condition)
        where T : class => condition is OrCondition<T> or ? [.. Disjuncts(or.Left), .. Disjuncts(or.Right)] : [condition];

    /// <summary>
    /// A candidate path; whether it alone implements the whole condition; the conjuncts it implements; whether it is a point
    /// lookup (a unique index or the whole key with every member fixed), whose estimate is its count of values.
    /// </summary>
    private sealed record Choice<T, TKey>(AccessPath<T, TKey> Path, bool Exact, IReadOnlyList<Condition<T>> Uses, bool Lookup = false)
        where T : class;
}

/// <summary>
/// The chosen path; whether it alone implements the whole condition (so counting needs no documents); whether it yields
/// the requested order, and if so, which runs of ties the query puts in primary-key order (null: none need it).
/// </summary>
internal sealed record QueryPlan<T, TKey>(AccessPath<T, TKey> Path, bool Exact, bool Ordered, TieOrder? Ties)
    where T : class;

/// <summary>One ordering key of a query.</summary>
internal readonly record struct Ordering<T>(Field<T> Field, bool Descending)
    where T : class;
