namespace Persistence;

/// <summary>
/// Gives a member a stable numeric tag in the stored document. Tagged members are stored under their tag instead of
/// their name, so the member can be renamed without losing data. Tags are positive and unique within a type; never
/// reuse the tag of a removed member.
/// </summary>
/// <param name="tag">The tag, from 1 to 65535.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
public sealed class FieldAttribute(int tag) : Attribute
{
    /// <summary>The member's tag.</summary>
    public int Tag { get; } = tag;
}
