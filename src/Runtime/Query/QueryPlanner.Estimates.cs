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
    /// decides (past a quarter of the documents); not when one is a point lookup (a unique index or the whole key with
    /// every member fixed), whose estimate is already its count of values and which no other path beats by enough to pay
    /// for the descents. A single path with nothing to decide is read whatever it holds.
    /// </summary>
    private static bool WorthDiving<T, TKey>(Collection<T, TKey> collection, List<Choice<T, TKey>> choices, IReadOnlyList<Ordering<T>> order, long total)
        where T : class => !choices.Exists(c => c.Lookup) && choices.Count switch
        {
            0 => false,
            1 => order.Count > 0 && !OrderFor(choices[0].Path, order).Ordered && OrderedScan(collection, order, total) is not null,
            _ => true,
        };

    /// <summary>
    /// The candidates with their estimates read from the trees, path by path; a union's branches are chosen again
    /// by theirs.
    /// </summary>
    private static List<Choice<T, TKey>> Dived<T, TKey>(Collection<T, TKey> collection, Transaction transaction, List<Choice<T, TKey>> choices, long total)
        where T : class => choices.ConvertAll(c => c.Path is UnionPath<T, TKey> && c.Uses is [OrCondition<T> or]
            && UnionFor(collection, transaction, or, total, dive: true) is { } union
            ? c with { Path = union }
            : c with { Path = Dived(collection, transaction, c.Path, total) });

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
