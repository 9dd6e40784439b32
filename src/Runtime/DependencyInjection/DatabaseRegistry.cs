using Microsoft.Extensions.DependencyInjection;

namespace Persistence.DependencyInjection;

/// <summary>
/// The databases registered in one container, in the order of their first registration: what the hosted services
/// open, shut down and collect, and what the options validator checks paths against. One instance per service
/// collection, itself registered in it, filled while the container is being configured and read-only afterwards.
/// It also records, per database, how to resolve each collection registered for it, which the hosted collector
/// resolves at start so that collections nothing else resolves still have their expired documents collected: a factory
/// per registration, as the container's own, with no reflection, with the collection's name and whether it has an
/// [ExpiresAt] member when the registration gives them (the generated one does), so that the collector can leave
/// unbuilt the collections that have nothing to collect.
/// </summary>
internal sealed class DatabaseRegistry
{
    private readonly List<DatabaseRegistration> _databases = [];
    private readonly List<CollectionRegistration> _collections = [];

    public IReadOnlyList<DatabaseRegistration> Databases => _databases;

    /// <summary>The registration named <paramref name="name"/> (empty for the default database), or null.</summary>
    public DatabaseRegistration? Find(string name) => _databases.Find(d => d.Name == name);

    /// <summary>The registry of <paramref name="services"/>, added by the first registration of a database or a collection.</summary>
    public static DatabaseRegistry Of(IServiceCollection services)
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(DatabaseRegistry) && !descriptor.IsKeyedService && descriptor.ImplementationInstance is DatabaseRegistry registry)
            {
                return registry;
            }
        }

        var added = new DatabaseRegistry();
        services.AddSingleton(added);
        return added;
    }

    /// <summary>
    /// Records <paramref name="collection"/>; a type recorded for its database already is left as it is, as the
    /// container leaves its registration.
    /// </summary>
    public void AddCollection(CollectionRegistration collection)
    {
        if (!_collections.Exists(c => c.Database == collection.Database && c.Type == collection.Type))
        {
            _collections.Add(collection);
        }
    }

    /// <summary>The collections registered for the database named <paramref name="database"/>, in order of registration.</summary>
    public IEnumerable<CollectionRegistration> CollectionsOf(string database) => _collections.Where(c => c.Database == database);

    /// <summary>Adds <paramref name="database"/>, whose name is not registered yet (the caller checks with <see cref="Find"/>).</summary>
    public void Add(DatabaseRegistration database)
    {
        System.Diagnostics.Debug.Assert(Find(database.Name) is null, "one registration per name");
        _databases.Add(database);
    }

    /// <summary>Puts <paramref name="database"/> in the place of the registration of its name, keeping its order.</summary>
    public void Replace(DatabaseRegistration database) =>
        _databases[_databases.FindIndex(d => d.Name == database.Name)] = database;
}
