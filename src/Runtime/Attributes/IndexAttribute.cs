namespace Persistence;

/// <summary>
/// Declares a secondary index. On a member: an index on that member. On the class, with member names: a composite
/// index ordered by those members in turn (<c>[Index(nameof(LastName), nameof(FirstName))]</c>). Indexes are
/// maintained in the same transaction as the document.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = true, Inherited = false)]
public sealed class IndexAttribute : Attribute
{
    /// <summary>An index on the member the attribute is applied to.</summary>
    public IndexAttribute()
    {
        Members = [];
    }

    /// <summary>A composite index over <paramref name="members"/>, in that order (class-level use).</summary>
    public IndexAttribute(params string[] members)
    {
        Members = members;
    }

    /// <summary>The members of a composite index; empty for a member-level index.</summary>
    public string[] Members { get; }

    /// <summary>True when no two documents may have the same indexed value(s); a violation throws <see cref="UniqueConstraintException"/>.</summary>
    public bool Unique { get; set; }

    /// <summary>The index name (default: the member name, or the member names joined). It names the typed accessor (<c>By{Name}</c>) and the keyspace.</summary>
    public string? Name { get; set; }
}
