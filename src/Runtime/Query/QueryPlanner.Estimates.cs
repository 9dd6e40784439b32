using Persistence.Collections;

namespace Persistence.Query;

internal static partial class QueryPlanner
{
    /// <summary>
    /// The most key ranges of one path the planner descends the tree for (<see cref="Transaction.EstimateKeys"/>); a path
    /// with more (an In list, up to <see cref="MaxKeyRanges"/>) is estimated from this many spread evenly over its ranges,
    /// scaled to all of them. Each range costs two descents of a few cached pages.
    /// </summary>
    internal const int MaxDivedRanges = 32;

    /// <summary>
    /// Whether the candidates are worth estimating from the data: only when two or more compete, or when a single one does
    /// not provide the ordering and a whole index (or the keys) could be read in that order instead, which its estimate
    /// decides (past a quarter of the documents); and then only those <see cref="WorthDiving{T, TKey}(Choice{T, TKey}, double)"/>
    /// says. A single path with nothing to decide is read whatever it holds.
    /// </summary>
    private static bool WorthDiving<T, TKey>(Collection<T, TKey> collection, List<Choice<T, TKey>> choices, IReadOnlyList<Ordering<T>> order, long total)
        where T : class
    {
        var seeks = LookupSeeks(choices);
        var any = false;
        foreach (var choice in choices)
        {
            any |= WorthDiving(choice, seeks);
        }

        if (!any)
        {
            return false; // lookups alone, or nothing, or a lookup cheaper than any estimate: their counts of values decide
        }

        return choices.Count > 1
            || (order.Count > 0 && !OrderFor(choices[0].Path, order).Ordered && OrderedScan(collection, order, total) is not null);
    }

    /// <summary>
    /// Whether <paramref name="choice"/> is estimated from its tree when it competes with a point lookup seeking
    /// <paramref name="seeks"/> keys (infinity: none). A point lookup (a unique index or the whole key with every member
    /// fixed) never is: it seeks one key per value whatever they hold, so its count of values is its cost. Another path is
    /// when its estimate costs fewer descents (<see cref="Descents"/>) than the cheapest lookup seeks keys: one that costs
    /// as many can save no more than it costs, so it keeps its fixed guess (a unique point lookup of one value, the usual
    /// case, switches every estimate off). This holds whether the guesses rank the lookup first or not: a path guessed
    /// cheaper than the lookup is estimated and competes with the lookup's count instead of winning on its guess. A unique
    /// index with a range, or with members left free, is not a lookup and is estimated like any index.
    /// </summary>
    private static bool WorthDiving<T, TKey>(Choice<T, TKey> choice, double seeks)
        where T : class => !choice.Lookup && Descents(choice.Path) < seeks;

    /// <summary>The keys the cheapest point lookup among <paramref name="choices"/> seeks (its count of values); infinity when none is one.</summary>
    private static double LookupSeeks<T, TKey>(List<Choice<T, TKey>> choices)
        where T : class
    {
        var seeks = double.PositiveInfinity;
        foreach (var choice in choices)
        {
            seeks = choice.Lookup ? Math.Min(seeks, choice.Path.Estimate) : seeks;
        }

        return seeks;
    }

    /// <summary>
    /// The descents of a tree estimating <paramref name="path"/> makes (<see cref="EstimateEntries"/>): two for each range
    /// dived, at most <see cref="MaxDivedRanges"/> of a path; a union's, those of its branches' candidates that their own
    /// point lookups let be estimated (<see cref="UnionPath{T, TKey}.Descents"/>), not of the paths chosen on guesses.
    /// </summary>
    private static int Descents<T, TKey>(AccessPath<T, TKey> path)
        where T : class => path switch
        {
            IndexPath<T, TKey> index => 2 * Math.Min(index.Ranges.Count, MaxDivedRanges),
            PrimaryKeyPath<T, TKey> key => 2 * Math.Min(key.Ranges.Count, MaxDivedRanges),
            UnionPath<T, TKey> union => union.Descents,
            _ => 0,
        };

    /// <summary>
    /// The candidates with their estimates read from the trees, path by path, those worth it
    /// (<see cref="WorthDiving{T, TKey}(Choice{T, TKey}, double)"/>); a union's branches are chosen again by theirs.
    /// </summary>
    private static List<Choice<T, TKey>> Dived<T, TKey>(Collection<T, TKey> collection, Transaction transaction, List<Choice<T, TKey>> choices, long total)
        where T : class
    {
        var seeks = LookupSeeks(choices);
        return choices.ConvertAll(c => !WorthDiving(c, seeks) ? c
            : c.Path is UnionPath<T, TKey> && c.Uses is [OrCondition<T> or] && UnionFor(collection, transaction, or, total, dive: true) is { } union
            ? c with { Path = union }
            : c with { Path = Dived(collection, transaction, c.Path, total) });
    }

    /// <summary>
    /// <paramref name="path"/> with the entries its key ranges hold, estimated from its tree: the documents keyspace for
    /// primary-key ranges, the index's for an index path. The path as it is (with the conditions' fixed guesses) when its
    /// tree is empty or it is neither.
    /// </summary>
    private static AccessPath<T, TKey> Dived<T, TKey>(Collection<T, TKey> collection, Transaction transaction, AccessPath<T, TKey> path, long total)
        where T : class => path switch
        {
            IndexPath<T, TKey> index when EstimateEntries(transaction, collection.IndexKeyspace(index.Index), index.Ranges) is { } rows =>
                index.WithEstimate(Math.Min(total, rows)),
            PrimaryKeyPath<T, TKey> key when EstimateEntries(transaction, collection.Documents, key.Ranges) is { } rows =>
                key.WithEstimate(Math.Min(total, rows)),
            _ => path,
        };

    /// <summary>
    /// The keys of <paramref name="keyspace"/> in <paramref name="ranges"/>, estimated by descending the tree for each
    /// range, or for <see cref="MaxDivedRanges"/> of them spread evenly and scaled to all; null when the tree is empty.
    /// </summary>
    /// <remarks>
    /// In a write transaction this is the tree it reads: its snapshot's, or its own once its writes moved there. Writes
    /// still held in its overlay are not counted, and need not be: the overlay holds at most
    /// <see cref="Transactions.WriteOverlay.PromoteAfter"/> writes over all keyspaces (a document and its entries
    /// each count), and past that the transaction moves them all into its own tree, which this descends. So an estimate
    /// misses at most that many keys, and a path chosen on it reads at most that many more than the best one; a
    /// transaction that wrote a bulk (100,000 documents) and then queries is estimated with all of them. Reading the
    /// overlay too would cost a search of its sorted entries per range on every plan, to correct an error a hundred
    /// documents bound.
    /// </remarks>
    internal static double? EstimateEntries(Transaction transaction, Keyspace keyspace, IReadOnlyList<KeyRange> ranges)
    {
        if (ranges.Count == 0)
        {
            return 0;
        }

        var sampled = Math.Min(ranges.Count, MaxDivedRanges);
        var sum = 0.0;
        for (var i = 0; i < sampled; i++)
        {
            if (transaction.EstimateKeys(keyspace, ranges[(int)((long)i * ranges.Count / sampled)]) is not { } keys)
            {
                return null;
            }

            sum += keys;
        }

        return sum * ranges.Count / sampled;
    }
}
