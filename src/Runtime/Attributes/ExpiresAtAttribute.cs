namespace Persistence;

/// <summary>
/// Marks a <see cref="DateTime"/> or <see cref="DateTimeOffset"/> member (nullable: no expiry) as the moment the
/// document expires. An expired document is invisible to every read from that instant on, and is removed in the
/// background.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
public sealed class ExpiresAtAttribute : Attribute
{
}
