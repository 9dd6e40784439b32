namespace Persistence;

/// <summary>Excludes a member from the stored document.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
public sealed class IgnoreAttribute : Attribute
{
}
