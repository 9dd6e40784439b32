using Microsoft.Extensions.DependencyInjection;

namespace Persistence.DependencyInjection;

/// <summary>
/// What the container logs when it binds a collection to its database: the binding itself, and settings under
/// <c>Collections:{name}</c> that were meant for the collection but name it in another case, which the engine does not
/// apply (collection names are case-sensitive, and <c>Users</c> and <c>users</c> may be two collections, while
/// configuration keys are not: nothing else in a <c>Persistence</c> section depends on case).
/// </summary>
internal static class CollectionBinding
{
    /// <param name="name">The database's options name: empty for the default database, else its key.</param>
    public static void Bound(IServiceProvider services, string name, Database database, string collection, Type type)
    {
        var logger = DatabaseActivator.Logger(services);
        var registration = services.GetService<DatabaseRegistry>()?.Find(name) ?? DatabaseRegistration.Conventional(name);
        var path = database.Path ?? ":memory:";
        HostingLog.CollectionBound(logger, collection, type.Name, registration.DisplayName, path);
        var configured = database.Options.Collections;
        if (configured.ContainsKey(collection))
        {
            return;
        }

        foreach (var other in configured.Keys)
        {
            if (string.Equals(other, collection, StringComparison.OrdinalIgnoreCase))
            {
                HostingLog.CollectionSettingsInAnotherCase(logger, $"{registration.Section}:Collections:{other}", collection, registration.DisplayName, path);
            }
        }
    }
}
