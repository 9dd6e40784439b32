using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Persistence.Analyzers.Queries;

/// <summary>
/// What the query planner can do with a filter, decided from its source: use an index or the primary key
/// (<see cref="FilterKind.Indexable"/>), only scan every document (<see cref="FilterKind.Scan"/>, with the members
/// that lead no index), or unknown (a condition built elsewhere). It mirrors QueryPlanner: an AND is indexable when
/// one of its terms is, an OR only when all its branches are, and NOT and IsNot never use an index.
/// </summary>
internal sealed class FilterShape
{
    private FilterShape(FilterKind kind, IReadOnlyList<string> members, bool needsAll, bool negated, SyntaxNode? firstScan)
    {
        Kind = kind;
        Members = members;
        NeedsAll = needsAll;
        Negated = negated;
        FirstScan = firstScan;
    }

    public static FilterShape Indexable { get; } = new(FilterKind.Indexable, [], false, false, null);

    public static FilterShape Unknown { get; } = new(FilterKind.Unknown, [], false, false, null);

    public FilterKind Kind { get; }

    /// <summary>For a scan: the members that lead no index, in source order.</summary>
    public IReadOnlyList<string> Members { get; }

    /// <summary>For a scan of several members: true when each needs an index (OR), false when one is enough (AND).</summary>
    public bool NeedsAll { get; }

    /// <summary>For a scan: a NOT or IsNot is part of the reason.</summary>
    public bool Negated { get; }

    /// <summary>For a scan: the first term that cannot use an index, where the diagnostic goes.</summary>
    public SyntaxNode? FirstScan { get; }

    public static FilterShape ScanOf(string member, SyntaxNode term) => new(FilterKind.Scan, [member], false, false, term);

    public static FilterShape Negation(SyntaxNode term) => new(FilterKind.Scan, [], false, true, term);

    public static FilterShape And(FilterShape left, FilterShape right) =>
        left.Kind == FilterKind.Indexable || right.Kind == FilterKind.Indexable ? Indexable
        : left.Kind == FilterKind.Unknown || right.Kind == FilterKind.Unknown ? Unknown
        : Merge(left, right, needsAll: false);

    public static FilterShape Or(FilterShape left, FilterShape right) =>
        left.Kind == FilterKind.Scan || right.Kind == FilterKind.Scan ? Merge(left, right, needsAll: true)
        : left.Kind == FilterKind.Indexable && right.Kind == FilterKind.Indexable ? Indexable
        : Unknown;

    /// <summary>The reason the filter is a scan, for the diagnostic message.</summary>
    public string Reason()
    {
        var parts = new List<string>();
        if (Members.Count == 1)
        {
            parts.Add($"no index leads '{Members[0]}', so mark it [Index]");
        }
        else if (Members.Count > 1)
        {
            var names = string.Join(", ", Members.Select(m => "'" + m + "'"));
            parts.Add($"no index leads {names}, so mark {(NeedsAll ? "each of them" : "one of them")} [Index]");
        }

        if (Negated)
        {
            parts.Add("'!' and IsNot() never use an index");
        }

        return string.Join("; ", parts);
    }

    private static FilterShape Merge(FilterShape left, FilterShape right, bool needsAll)
    {
        var scans = new[] { left, right }.Where(s => s.Kind == FilterKind.Scan).ToList();
        var members = scans.SelectMany(s => s.Members).Distinct().ToList();
        return new FilterShape(FilterKind.Scan, members, needsAll || scans.Any(s => s.NeedsAll), scans.Any(s => s.Negated), scans[0].FirstScan);
    }
}
