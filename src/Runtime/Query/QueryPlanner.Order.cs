namespace Persistence.Query;

internal static partial class QueryPlanner
{
    /// <summary>
    /// Whether <paramref name="path"/> yields documents in the requested order, where a query's ties (documents equal
    /// in every ordering) always come in primary-key order, ascending unless the ordering ends with the key descending;
    /// and if it does, which ties the query must still put in key order (null: the path yields them so already).
    /// </summary>
    /// <remarks>
    /// An index yields documents by its members in turn and then, when not unique, by primary key (entry keys end with
    /// it); read backwards, all of that descending. It provides an ordering that names its members in turn (after the
    /// ones its ranges fix to one value), all in the direction it is read. Ties then need reordering, run by run, when
    /// the index goes on with further members, or when it is read against the key direction the ordering asks for (a
    /// descending ordering breaks ties by ascending key unless it ends with a descending key) or when a DateTime's keys
    /// tell apart values its comparer calls equal. A DateTime member must be the last ordering member: its equal values
    /// need not be neighbours when entries go on with further members.
    /// </remarks>
    private static (bool Ordered, TieOrder? Ties) OrderFor<T, TKey>(AccessPath<T, TKey> path, IReadOnlyList<Ordering<T>> order)
        where T : class
    {
        if (order.Count == 0)
        {
            return (true, null);
        }

        // Orderings after the whole primary key change nothing (it is unique). An ordering that ends with the key (a
        // composite key's first member ascending: ties in it are in key order) only says how ties come.
        var count = order.Count;
        for (var i = 0; i < order.Count; i++)
        {
            if (IsWholeKey<T, TKey>(order[i].Field))
            {
                count = i + 1;
                break;
            }
        }

        var last = order[count - 1];
        var keyLast = last.Field.IsPrimaryKey && (IsWholeKey<T, TKey>(last.Field) || !last.Descending);
        var members = keyLast ? count - 1 : count;
        var tiesDescending = keyLast && last.Descending;

        if (path.InPrimaryKeyOrder)
        {
            if (members == 0)
            {
                return (path.Descending == tiesDescending, null);
            }

            // The first member of a composite key, read backwards: ties in it come in descending key order.
            return members == 1 && order[0].Field.IsPrimaryKey && order[0].Descending == path.Descending ? (true, new TieOrder(1, tiesDescending)) : (false, null);
        }

        if (path is not IndexPath<T, TKey> index)
        {
            return (false, null);
        }

        // Orderings by a member the ranges fix to one value order nothing; the others must name the index's further
        // members in turn.
        var matched = 0;
        for (var i = 0; i < members; i++)
        {
            var ordering = order[i];
            if (IsFixed(index, ordering.Field))
            {
                continue;
            }

            if (matched == index.OrderedBy.Count || ordering.Field.Name != index.OrderedBy[matched] || ordering.Descending != path.Descending
                || (ordering.Field.KeyRefinesEquality && i < members - 1))
            {
                return (false, null);
            }

            matched++;
        }

        if (matched == 0 && index.OrderedBy.Count > 0)
        {
            return (false, null); // ordered by the key alone, which the index's members come before
        }

        var tiesInKeyOrder = matched == index.OrderedBy.Count && (matched == 0 || !order[members - 1].Field.KeyRefinesEquality)
            && (index.Unique || path.Descending == tiesDescending);
        return (true, tiesInKeyOrder ? null : new TieOrder(members, tiesDescending));
    }

    /// <summary>
    /// The first ordering the path can serve, after those by members its ranges fix to one value: the direction to read
    /// it in (an index's next member, or the key when the ranges fix every member).
    /// </summary>
    private static bool ReadDescending<T>(IReadOnlyList<Ordering<T>> order, IReadOnlyList<string> fixedMembers, IReadOnlyList<string> orderedBy)
        where T : class
    {
        foreach (var ordering in order)
        {
            if (!fixedMembers.Contains(ordering.Field.Name) || ordering.Field.KeyRefinesEquality)
            {
                return ordering.Descending && (orderedBy.Count > 0 ? ordering.Field.Name == orderedBy[0] : ordering.Field.IsPrimaryKey);
            }
        }

        return false;
    }

    private static bool IsFixed<T, TKey>(IndexPath<T, TKey> index, Field<T> field)
        where T : class => !field.KeyRefinesEquality && index.Fixed.Contains(field.Name);
}

/// <summary>
/// Reorders each run of documents equal in the first <paramref name="Orderings"/> orderings of a query by primary key,
/// ascending or <paramref name="Descending"/>: what an access path that provides the ordering leaves to do for ties.
/// </summary>
internal readonly record struct TieOrder(int Orderings, bool Descending);
