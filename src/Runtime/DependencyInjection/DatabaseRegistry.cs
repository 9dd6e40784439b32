using Microsoft.Extensions.DependencyInjection;

namespace Persistence.DependencyInjection;

/// <summary>
/// The databases registered in one container, in the order of their first registration: what the hosted services
/// open, shut down and collect, and what the options validator checks paths against. One instance per service
/// collection, itself registered in it, filled while the container is being configured and read-only afterwards.
/// </summary>
internal sealed class DatabaseRegistry
{
    private readonly List<DatabaseRegistration> _databases = [];

    public IReadOnlyList<DatabaseRegistration> Databases => _databases;

    /// <summary>The registration named <paramref name="name"/> (empty for the default database), or null.</summary>
    public DatabaseRegistration? Find(string name) => _databases.Find(d => d.Name == name);

    /// <summary>The registry of <paramref name="services"/>; <paramref name="created"/> is true when this call added it.</summary>
    public static DatabaseRegistry Of(IServiceCollection services, out bool created)
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(DatabaseRegistry) && !descriptor.IsKeyedService && descriptor.ImplementationInstance is DatabaseRegistry registry)
            {
                created = false;
                return registry;
            }
        }

        var added = new DatabaseRegistry();
        services.AddSingleton(added);
        created = true;
        return added;
    }

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
