namespace Persistence.Generators.Parsing.Model;

/// <summary>What a [Collection] type adds to its members: the collection name, key, indexes and expiry member.</summary>
/// <param name="Name">The collection (keyspace) name.</param>
/// <param name="Key">The primary key.</param>
/// <param name="Indexes">The secondary indexes in schema order: class-level declarations first, then member-level ones in member order.</param>
/// <param name="ExpiresAt">The [ExpiresAt] member, or null.</param>
internal sealed record CollectionModel(string Name, KeyModel Key, EquatableArray<IndexModel> Indexes, string? ExpiresAt);
