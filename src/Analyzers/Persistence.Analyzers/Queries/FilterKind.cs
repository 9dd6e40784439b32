namespace Persistence.Analyzers.Queries;

/// <summary>What the planner can do with a filter; see <see cref="FilterShape"/>.</summary>
internal enum FilterKind
{
    /// <summary>An index or the primary key narrows the search.</summary>
    Indexable,

    /// <summary>Only a scan of every document can answer it.</summary>
    Scan,

    /// <summary>Not decidable from the source (a condition built elsewhere).</summary>
    Unknown,
}
