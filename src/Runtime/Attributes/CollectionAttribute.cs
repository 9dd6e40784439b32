namespace Persistence;

/// <summary>
/// Marks a <c>partial</c> class or record as a document collection. The source generator emits its serializer, key
/// encoders, index maintenance and a typed collection named after it (<c>User</c> gets <c>UserCollection</c>).
/// </summary>
/// <remarks>
/// The collection's documents live in the keyspace <paramref name="name"/>, each index in <c>name#index</c>. The name
/// is part of the stored data: renaming it later starts an empty collection.
/// </remarks>
/// <param name="name">The collection name: 1 to 200 characters, letters, digits, '_', '-' and '.'.</param>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class CollectionAttribute(string name) : Attribute
{
    /// <summary>The collection name.</summary>
    public string Name { get; } = name;
}
