namespace Persistence;

/// <summary>
/// Marks a <c>partial</c> class or record stored inside documents (as a member, or in a list, array or dictionary) so
/// that the source generator emits its serializer. The same member rules apply as for collections
/// (<see cref="FieldAttribute"/>, <see cref="IgnoreAttribute"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class EmbeddedAttribute : Attribute
{
}
