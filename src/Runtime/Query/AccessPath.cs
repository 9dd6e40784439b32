using System.Globalization;
using Persistence.Collections;

namespace Persistence.Query;

/// <summary>How a query finds candidate documents: by primary-key ranges, index ranges, an intersection or union of
/// those, or a full scan. Every path yields each candidate once; the query re-checks the whole condition.</summary>
internal abstract class AccessPath<T, TKey>
    where T : class
{
    /// <summary>The planner's estimate of the documents the path yields.</summary>
    public abstract double Estimate { get; }

    /// <summary>True when the path reads its keys backwards: descending in the order it yields documents in.</summary>
    public virtual bool Descending => false;

    /// <summary>True when the path yields documents in primary-key order.</summary>
    public virtual bool InPrimaryKeyOrder => false;

    /// <summary>The documents the path names, each with the index entries that named it.</summary>
    public abstract IEnumerable<Candidate> Candidates(Collection<T, TKey> collection, Transaction transaction);

    /// <summary>
    /// The documents of <see cref="Candidates"/>, loaded without counting as reads (sliding expiration): the query
    /// counts those it returns. Each document is checked against the index entries that named it.
    /// </summary>
    /// <exception cref="CorruptionException">An entry refers to a document that does not exist, or that does not produce
    /// it (a stale entry).</exception>
    public virtual IEnumerable<T> Documents(Collection<T, TKey> collection, Transaction transaction)
    {
        foreach (var candidate in Candidates(collection, transaction))
        {
            var document = candidate.Entry is { } entry
                ? collection.LoadReferenced(transaction, candidate.Key, entry.Index, entry.Value, isRead: false)
                : collection.Load(transaction, candidate.Key, isRead: false); // from the documents keyspace: it exists
            if (document is not null && candidate.Also is { } also)
            {
                document = collection.Verified(transaction, candidate.Key, also.Index, also.Value, document);
            }

            if (document is not null)
            {
                yield return document;
            }
        }
    }

    public abstract string Describe();

    protected static string Rows(double estimate) => estimate.ToString("0", CultureInfo.InvariantCulture);
}

/// <summary>Ranges of the documents keyspace itself (conditions on the primary key, or a full scan).</summary>
internal sealed class PrimaryKeyPath<T, TKey>(string collection, IReadOnlyList<KeyRange> ranges, bool descending, double estimate, string? term) : AccessPath<T, TKey>
    where T : class
{
    public override double Estimate => estimate;

    public override bool Descending => descending;

    public override bool InPrimaryKeyOrder => true;

    /// <summary>The key ranges the path reads, ascending and disjoint.</summary>
    public IReadOnlyList<KeyRange> Ranges => ranges;

    /// <summary>The same path with another estimate (the planner's, from the tree).</summary>
    public PrimaryKeyPath<T, TKey> WithEstimate(double rows) => new(collection, ranges, descending, rows, term);

    public override IEnumerable<Candidate> Candidates(Collection<T, TKey> collection, Transaction transaction) =>
        Ordered().SelectMany(r => collection.DocumentKeys(transaction, r, descending)).Select(key => new Candidate(key));

    public override IEnumerable<T> Documents(Collection<T, TKey> collection, Transaction transaction)
    {
        foreach (var range in Ordered())
        {
            foreach (var document in collection.ScanDocuments(range, descending, transaction, isRead: false))
            {
                yield return document;
            }
        }
    }

    public override string Describe() => term is null
        ? $"full scan of '{collection}' in key order{(descending ? " (descending)" : "")} (est. {Rows(estimate)} rows)"
        : $"primary-key ranges of '{collection}' for {term}{(descending ? " (descending)" : "")} (est. {Rows(estimate)} rows)";

    private IEnumerable<KeyRange> Ordered() => descending ? ranges.Reverse() : ranges;
}

/// <summary>
/// Ranges of one secondary index, yielding documents in index order: by the index's members in turn (but those the
/// ranges fix to one value, <paramref name="fixedMembers"/>: <paramref name="orderedBy"/>), then, for a non-unique index,
/// by primary key (entry keys end with it); all backwards when <paramref name="descending"/>. <paramref name="filtered"/>
/// names the members whose conditions the planner left to the filter rather than expand their combinations.
/// </summary>
internal sealed class IndexPath<T, TKey>(int index, string indexName, IReadOnlyList<KeyRange> ranges, bool descending, double estimate, string term,
    IReadOnlyList<string> orderedBy, IReadOnlyList<string> fixedMembers, bool unique, FilteredMembers? filtered = null) : AccessPath<T, TKey>
    where T : class
{
    public int Index => index;

    /// <summary>The key ranges the path reads, ascending and disjoint.</summary>
    public IReadOnlyList<KeyRange> Ranges => ranges;

    /// <summary>The members whose conditions the planner left to the filter to keep the ranges under its cap (null: none).</summary>
    public FilteredMembers? Filtered => filtered;

    public override double Estimate => estimate;

    public override bool Descending => descending;

    /// <summary>The members whose order the path yields documents in, most significant first (the index's members after those its ranges fix to one value).</summary>
    public IReadOnlyList<string> OrderedBy => orderedBy;

    /// <summary>The members the ranges fix to one value (equality with one value): every document has the same.</summary>
    public IReadOnlyList<string> Fixed => fixedMembers;

    /// <summary>True when no two entries have the same members (a unique index's keys are its members alone).</summary>
    public bool Unique => unique;

    /// <summary>The same path with another estimate (the planner's, from the tree).</summary>
    public IndexPath<T, TKey> WithEstimate(double rows) => new(index, indexName, ranges, descending, rows, term, orderedBy, fixedMembers, unique, filtered);

    public override IEnumerable<Candidate> Candidates(Collection<T, TKey> collection, Transaction transaction) =>
        (descending ? ranges.Reverse() : ranges).SelectMany(r => collection.IndexKeys(transaction, index, r, descending))
            .Select(entry => new Candidate(entry.Key, new IndexEntry(index, entry.Value)));

    /// <summary>
    /// The documents of <see cref="Candidates"/>, loaded by the primary key read in place from each entry and checked
    /// against it (<see cref="Collection{T, TKey}.ScanIndex"/>).
    /// </summary>
    public override IEnumerable<T> Documents(Collection<T, TKey> collection, Transaction transaction) =>
        (descending ? ranges.Reverse() : ranges).SelectMany(r => collection.ScanIndex(index, r, descending, transaction, isRead: false));

    public long CountEntries(Collection<T, TKey> collection, Transaction transaction)
    {
        long count = 0;
        foreach (var range in ranges)
        {
            using var cursor = transaction.OpenCursor(collection.IndexKeyspace(index), range);
            for (var ok = cursor.First(); ok; ok = cursor.Next())
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// The index, the conditions its ranges serve, the direction and the estimate; then how many ranges it reads when
    /// more than one, and the members the planner left to the filter, for example <c>index 'Place' for Region in (1, 2)
    /// (est. 40 rows) in 2 key ranges; Aisle, Shelf left to the filter (Aisle's values would make 8000 key ranges, over
    /// the cap of 4096)</c>.
    /// </summary>
    public override string Describe()
    {
        var description = $"index '{indexName}' for {term}{(descending ? " (descending)" : "")} (est. {Rows(estimate)} rows)";
        if (ranges.Count > 1)
        {
            description += string.Create(CultureInfo.InvariantCulture, $" in {ranges.Count} key ranges");
        }

        return filtered is { } left
            ? description + string.Create(CultureInfo.InvariantCulture,
                $"; {string.Join(", ", left.Members)} left to the filter ({left.Members[0]}'s values would make {left.Combinations} key ranges, over the cap of {QueryPlanner.MaxKeyRanges})")
            : description;
    }
}

/// <summary>
/// Members of a composite index whose conditions an index path leaves to the filter: with the values of the first of
/// them, the path would read <paramref name="Combinations"/> key ranges, more than <see cref="QueryPlanner.MaxKeyRanges"/>.
/// </summary>
internal sealed record FilteredMembers(IReadOnlyList<string> Members, long Combinations);

/// <summary>
/// The documents both paths yield: the keys of the first are collected, the second is filtered by them. Each document is
/// checked against the entries of both that named it.
/// </summary>
internal sealed class IntersectionPath<T, TKey>(AccessPath<T, TKey> first, AccessPath<T, TKey> second, double estimate) : AccessPath<T, TKey>
    where T : class
{
    public override double Estimate => estimate;

    public override IEnumerable<Candidate> Candidates(Collection<T, TKey> collection, Transaction transaction)
    {
        var named = new Dictionary<string, Candidate>(StringComparer.Ordinal);
        foreach (var candidate in first.Candidates(collection, transaction))
        {
            named.TryAdd(Convert.ToHexString(candidate.Key), candidate);
        }

        foreach (var candidate in second.Candidates(collection, transaction))
        {
            if (named.TryGetValue(Convert.ToHexString(candidate.Key), out var other))
            {
                yield return candidate with { Also = other.Entry };
            }
        }
    }

    public override string Describe() => $"intersection of [{first.Describe()}] and [{second.Describe()}] (est. {Rows(estimate)} rows)";
}

/// <summary>
/// The documents any of the paths yields, each once, checked against the entry of the first path that named it (a later
/// path's entry for a document already yielded is not checked).
/// </summary>
/// <param name="paths">The path chosen for each branch.</param>
/// <param name="descents">The descents of a tree estimating the branches' candidates costs: those of the candidates each
/// branch's point-lookup rule lets be estimated (the planner's <c>Descents</c>).</param>
internal sealed class UnionPath<T, TKey>(IReadOnlyList<AccessPath<T, TKey>> paths, int descents) : AccessPath<T, TKey>
    where T : class
{
    /// <summary>The paths whose documents the union yields, one for each branch of the condition.</summary>
    public IReadOnlyList<AccessPath<T, TKey>> Paths => paths;

    /// <summary>The descents estimating the branches' candidates from their trees costs (a point lookup's none).</summary>
    public int Descents => descents;

    public override double Estimate => paths.Sum(p => p.Estimate);

    public override IEnumerable<Candidate> Candidates(Collection<T, TKey> collection, Transaction transaction)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            foreach (var candidate in path.Candidates(collection, transaction))
            {
                if (seen.Add(Convert.ToHexString(candidate.Key)))
                {
                    yield return candidate;
                }
            }
        }
    }

    public override string Describe() => $"union of {string.Join(" and ", paths.Select(p => "[" + p.Describe() + "]"))}";
}
