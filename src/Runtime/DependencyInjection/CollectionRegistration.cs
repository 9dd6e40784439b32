using Persistence.Collections;

namespace Persistence.DependencyInjection;

/// <summary>
/// A collection registered for a database, as the hosted TTL collector sees it: how to resolve it, and what the
/// registration says of it without building it, so that the collector builds at host start only the collections that
/// may have expired documents to collect. Building one creates its keyspaces and runs its pending index builds, which a
/// collection with nothing to collect must not do before the application asks for it.
/// </summary>
/// <param name="Database">The database's options name: empty for the default database, else its key.</param>
/// <param name="Type">The collection type.</param>
/// <param name="Name">
/// The collection's name, given by the generated registration (and by the overloads that take it); null when the
/// registration did not say, in which case nothing is known of the collection without building it.
/// </param>
/// <param name="HasExpiresAt">Whether its documents have an [ExpiresAt] member; false when <paramref name="Name"/> is null.</param>
/// <param name="Resolve">Resolves the collection, as the container's own registration does.</param>
internal sealed record CollectionRegistration(string Database, Type Type, string? Name, bool HasExpiresAt, Func<IServiceProvider, object> Resolve)
{
    /// <summary>
    /// True when the collection may hold expired documents, given the names of its database's keyspaces, of which
    /// <paramref name="expiryIndexes"/> says whether any is the expiry index of some collection. A collection whose
    /// documents have an [ExpiresAt] member may, once it has been written, whatever other collections hold: its expiry
    /// index may still be unbuilt (the member declared since its documents were written), which building the collection
    /// builds. One without the member may only if documents got an expiry from a default lifetime
    /// (<see cref="PersistenceCollectionOptions.DefaultTimeToLive"/>, in force now or in an earlier run), which left
    /// their stored expiries on disk: an expiry index alone is one the member left when it was removed, whose entries
    /// no longer expire anything. An undescribed registration may whenever the database holds an expiry index.
    /// </summary>
    public bool MayHoldExpiringDocuments(IReadOnlySet<string> keyspaces, bool expiryIndexes)
    {
        if (Name is null)
        {
            return expiryIndexes;
        }

        return HasExpiresAt
            ? keyspaces.Contains(Name)
            : keyspaces.Contains(CollectionKeyspaces.NameOf(Name, CollectionKeyspaces.StoredExpiries));
    }

    /// <summary>
    /// Creates a collection for its registration with <paramref name="create"/> and checks that, when the registration
    /// is described, it is the collection described: the collector trusts the description to leave collections
    /// unbuilt, so a registration written by hand that names another collection, or says the member is there when it
    /// is not (or the reverse), is refused when the collection is resolved. A collection the factory constructs is
    /// refused by its constructor, before it binds (<see cref="ExpectedCollection"/>): nothing is created, built or
    /// dropped for it. One the factory did not construct (an instance made earlier) is refused when it is returned.
    /// </summary>
    /// <exception cref="InvalidOptionsException">The collection is not the one the registration describes
    /// (<see cref="ErrorCode.InvalidOptions"/>, its <see cref="InvalidOptionsException.Option"/> the argument that
    /// disagrees: <c>collectionName</c> or <c>hasExpiresAt</c>).</exception>
    public static TCollection Create<TCollection, T, TKey>(Database database, Func<Database, TCollection> create, string? name, bool hasExpiresAt)
        where TCollection : Collection<T, TKey>
        where T : class
    {
        // An undescribed registration's factory runs under no description too: one set by an outer factory that
        // resolves it would otherwise hold the collection it constructs to the outer registration's.
        var expected = name is null ? null : new ExpectedCollection(typeof(TCollection), name, hasExpiresAt);
        TCollection collection;
        using (ExpectedCollection.Expect(expected))
        {
            collection = create(database);
        }

        expected?.Verify(collection.GetType(), collection.Name, collection.Schema.HasExpiresAt);
        return collection;
    }
}
