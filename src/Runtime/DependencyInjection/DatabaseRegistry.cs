using Microsoft.Extensions.DependencyInjection;

namespace Persistence.DependencyInjection;

/// <summary>
/// The databases registered in one container, in the order of their first registration: what the hosted services
/// open, shut down and collect, and what the options validator checks paths against. One instance per service
/// collection, itself registered in it, filled while the container is being configured and read-only afterwards.
/// It also records, per database, how to resolve each collection registered for it, which the hosted collector
/// resolves at start so that collections nothing else resolves still have their expired documents collected: a factory
/// per registration, as the container's own, with no reflection.
/// </summary>
internal sealed class DatabaseRegistry
{
    private readonly List<DatabaseRegistration> _databases = [];
    private readonly List<(string Database, Type Type, Func<IServiceProvider, object> Resolve)> _collections = [];

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
    /// Records the collection <paramref name="type"/> of the database named <paramref name="database"/> (empty for the
    /// default one), resolved by <paramref name="resolve"/>; a type recorded for that database already is left as it is.
    /// </summary>
    public void AddCollection(string database, Type type, Func<IServiceProvider, object> resolve)
    {
        if (!_collections.Exists(c => c.Database == database && c.Type == type))
        {
            _collections.Add((database, type, resolve));
        }
    }

    /// <summary>The collections registered for the database named <paramref name="database"/>, in order of registration.</summary>
    public IEnumerable<(Type Type, Func<IServiceProvider, object> Resolve)> CollectionsOf(string database) =>
        _collections.Where(c => c.Database == database).Select(c => (c.Type, c.Resolve));

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
