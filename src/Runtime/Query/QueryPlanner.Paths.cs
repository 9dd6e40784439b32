using Persistence.Collections;

namespace Persistence.Query;

internal static partial class QueryPlanner
{
    /// <summary>
    /// The most key ranges an index path expands the combinations of its members' values into. Equality on several
    /// leading members of a composite index is read as one range per combination of their values, and the number of
    /// combinations is the product of the lists' lengths: two lists of 1,000 values would make a million ranges, built
    /// on every plan (and Explain) and sought one by one, and a crafted query could exhaust memory. Past this many, the
    /// path keeps the leading members whose combinations fit and leaves the conditions on the rest to the filter, which
    /// checks every document against the whole condition anyway: the results stay the same, only the entries under each
    /// kept prefix that the dropped members would have skipped are read too. The first member's values are always kept
    /// (their number is the query's own length), and so is a member with one value, which multiplies nothing. 4,096
    /// ranges are a few hundred kilobytes and as many cursor seeks: small beside the reads a query that needs them makes,
    /// and past them a cursor seek per combination soon costs more than reading the entries it would skip.
    /// </summary>
    internal const int MaxKeyRanges = 4096;

    /// <summary>
    /// The candidate paths of a conjunction: one over the primary key when a conjunct is on its (first) member, and one
    /// per index whose leading member a conjunct is on. Each is read in the direction the ordering asks for when it
    /// yields documents in that member's order, since a range costs the same read either way.
    /// </summary>
    private static List<Choice<T, TKey>> PathsFor<T, TKey>(Collection<T, TKey> collection, List<Term<T>> terms, int conjuncts, long total, IReadOnlyList<Ordering<T>> order)
        where T : class
    {
        var choices = new List<Choice<T, TKey>>();
        if (terms.Count == 0)
        {
            return choices;
        }

        if (KeyPathFor(collection, terms, conjuncts, total, order) is { } key)
        {
            choices.Add(key);
        }

        for (var index = 0; index < collection.Schema.Indexes.Count; index++)
        {
            if (IndexPathFor(collection, index, terms, conjuncts, total, order) is { } path)
            {
                choices.Add(path);
            }
        }

        return choices;
    }

    /// <summary>
    /// The conjuncts an index or the primary key may serve (conditions on a member of one, with key ranges), each with
    /// its ranges, computed once.
    /// </summary>
    private static List<Term<T>> Terms<T, TKey>(Collection<T, TKey> collection, List<Condition<T>> conjuncts)
        where T : class
    {
        var terms = new List<Term<T>>();
        foreach (var conjunct in conjuncts)
        {
            if (conjunct is IFieldCondition<T> condition
                && (condition.Field.IsPrimaryKey || collection.Schema.Indexes.Any(i => i.Members.Contains(condition.Field.Name)))
                && condition.Ranges() is { } ranges)
            {
                terms.Add(new Term<T>(conjunct, condition, ranges));
            }
        }

        return terms;
    }

    private static Choice<T, TKey>? KeyPathFor<T, TKey>(Collection<T, TKey> collection, List<Term<T>> terms, int conjuncts, long total, IReadOnlyList<Ordering<T>> order)
        where T : class
    {
        var on = terms.Where(t => t.Condition.Field.IsPrimaryKey).ToList();
        if (on.Count == 0)
        {
            return null;
        }

        // Equality on the whole key finds one document per value; on the first member of a composite key, as many as an
        // index's equality would.
        var (ranges, used, fraction) = Combine(on, total);
        var lookup = used[0].Condition.IsEquality && IsWholeKey<T, TKey>(on[0].Condition.Field);
        var estimate = lookup ? ranges.Count : Estimate(total, fraction, used[0].Condition.IsEquality);
        var descending = order.Count > 0 && order[0].Field.IsPrimaryKey && order[0].Descending;
        var path = new PrimaryKeyPath<T, TKey>(collection.Name, ranges, descending, Math.Min(total, estimate), Describe(used));
        return new Choice<T, TKey>(path, used.Count == conjuncts, [.. used.Select(t => t.Source)], lookup);
    }

    /// <summary>
    /// The path through one index: equality (Is, In) on its leading members, each value of one member followed by the
    /// next member's conditions, until a member with range conditions (their ranges intersected, under every combination
    /// of the values before it), a member without conditions, or the last member. A DateTime member's equality ends the
    /// run: its bounds leave out the Kind that follows its value in older entries, so nothing can follow them. The run
    /// also ends at a member whose values would take the combinations past <see cref="MaxKeyRanges"/>: the path reads
    /// the ranges of the members before it, and that member's conditions and the ones after it are left to the filter.
    /// </summary>
    private static Choice<T, TKey>? IndexPathFor<T, TKey>(Collection<T, TKey> collection, int index, List<Term<T>> terms, int conjuncts, long total, IReadOnlyList<Ordering<T>> order)
        where T : class
    {
        var schema = collection.Schema.Indexes[index];
        var members = schema.Members;
        if (!terms.Exists(t => t.Condition.Field.Name == members[0]))
        {
            return null;
        }

        List<byte[]> prefixes = [[]];
        IReadOnlyList<KeyRange>? ranges = null;
        var used = new List<Term<T>>();
        var orderedBy = new List<string>();
        var fixedMembers = new List<string>();
        FilteredMembers? filtered = null;
        var fraction = 1.0;
        var allFixed = false;
        var position = 0;
        for (; position < members.Count && ranges is null; position++)
        {
            var on = terms.Where(t => t.Condition.Field.Name == members[position]).ToList();
            if (on.Count == 0)
            {
                break;
            }

            var (memberRanges, memberUsed, memberFraction) = Combine(on, total);
            // A member that multiplies the ranges past the cap ends the run. One with a single value only lengthens the
            // prefixes, and values under a single prefix (the first member's, or after members fixed to one value) are
            // as many ranges as the query lists.
            var combinations = (long)prefixes.Count * memberRanges.Count;
            if (combinations > MaxKeyRanges && prefixes.Count > 1 && memberRanges.Count > 1)
            {
                filtered = new FilteredMembers([.. members.Skip(position).TakeWhile(m => terms.Exists(t => t.Condition.Field.Name == m))], combinations);
                break;
            }

            used.AddRange(memberUsed);
            fraction *= memberFraction;
            var field = on[0].Condition.Field;
            if (!memberUsed[0].Condition.IsEquality || field.KeyRefinesEquality)
            {
                ranges = KeyRanges.Under(prefixes, memberRanges);
                orderedBy.Add(members[position]);
                continue;
            }

            // Each value's encoding is complete and prefix-free: the next member's conditions follow it. A member fixed to
            // a single value does not order the entries.
            prefixes = KeyRanges.Extend(prefixes, [.. memberRanges.Select(r => r.Lower.ToArray())]);
            (memberRanges.Count == 1 ? fixedMembers : orderedBy).Add(members[position]);

            allFixed = position == members.Count - 1;
        }

        // A unique index has no entry for a document whose indexed values are all null: it cannot serve conditions that
        // all match such a document.
        if (used.Count == 0 || (schema.Unique && used.All(t => t.Condition.CanMatchNull)))
        {
            return null;
        }

        orderedBy.AddRange(members.Skip(position));
        ranges ??= [.. prefixes.Select(p => KeyRange.Prefix(p))];
        var lookup = schema.Unique && allFixed;
        var estimate = lookup ? prefixes.Count : Estimate(total, fraction, used[0].Condition.IsEquality);
        var descending = ReadDescending(order, fixedMembers, orderedBy);
        var path = new IndexPath<T, TKey>(index, schema.Name, ranges, descending, Math.Min(total, estimate), Describe(used), orderedBy, fixedMembers,
            schema.Unique, filtered);
        return new Choice<T, TKey>(path, used.Count == conjuncts, [.. used.Select(t => t.Source)], lookup);
    }

    /// <summary>
    /// The ranges of one member's conditions: the equality with the fewest values (the others are left to the filter), or
    /// else the intersection of all of its ranges; with the conditions used and the fraction of documents they keep.
    /// </summary>
    private static (IReadOnlyList<KeyRange> Ranges, List<Term<T>> Used, double Fraction) Combine<T>(List<Term<T>> on, long total)
        where T : class
    {
        if (on.Where(t => t.Condition.IsEquality).MinBy(t => t.Ranges.Count) is { } equality)
        {
            return (equality.Ranges, [equality], Fraction(equality, total));
        }

        IReadOnlyList<KeyRange> ranges = on[0].Ranges;
        var fraction = Fraction(on[0], total);
        foreach (var term in on.Skip(1))
        {
            ranges = KeyRanges.Intersect(ranges, term.Ranges);
            fraction *= Fraction(term, total);
        }

        return (ranges, on, fraction);
    }

    /// <summary>The fraction of the documents a condition keeps, by the conditions' fixed guesses: the estimate a path starts with, and keeps when the planner does not read its tree.</summary>
    private static double Fraction<T>(Term<T> term, long total)
        where T : class => total == 0 ? 0 : term.Condition.EstimateRows(total, unique: false) / total;

    /// <summary>The documents the used conditions keep together; a path that starts with equality is given at least one.</summary>
    private static double Estimate(long total, double fraction, bool equality) =>
        Math.Max(total * fraction, equality ? Math.Min(1, total) : 0);

    private static string Describe<T>(List<Term<T>> used)
        where T : class => string.Join(" and ", used.Select(t => t.Source.ToString()));

    /// <summary>True when <paramref name="field"/> is the whole primary key (not the first member of a composite one).</summary>
    private static bool IsWholeKey<T, TKey>(Field<T> field)
        where T : class => field.IsPrimaryKey && field is Field<T, TKey>;

    /// <summary>A conjunct a key or index may serve, with its key ranges.</summary>
    private sealed record Term<T>(Condition<T> Source, IFieldCondition<T> Condition, IReadOnlyList<KeyRange> Ranges)
        where T : class;
}
