namespace Persistence;

/// <summary>
/// Marks the member (or, for a composite key, the members) that identify a document. Key members should be
/// <c>init</c>-only: changing a key means deleting and inserting another document.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
public sealed class PrimaryKeyAttribute : Attribute
{
    /// <summary>The member's position in a composite key (ascending; ties broken by declaration order).</summary>
    public int Order { get; set; }
}
