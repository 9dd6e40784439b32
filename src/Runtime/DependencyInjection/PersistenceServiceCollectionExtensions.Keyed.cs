using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Persistence;
using Persistence.Collections;
using Persistence.DependencyInjection;

#pragma warning disable IDE0130 // By convention, service registration extensions live in the namespace of IServiceCollection.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Keyed databases: several databases in one container, each resolved with its service key.</summary>
public static partial class PersistenceServiceCollectionExtensions
{
    /// <summary>
    /// Registers one more <see cref="Database"/> as a keyed singleton under <paramref name="serviceKey"/>
    /// (<c>[FromKeyedServices("cache")] Database</c>), configured by the <see cref="PersistenceOptions"/> named
    /// <paramref name="serviceKey"/>: bound from the section <c>Persistence:Databases:{serviceKey}</c> of the
    /// container's <see cref="IConfiguration"/> (when one is registered), then by <paramref name="configure"/>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A keyed database lives beside the default one of <c>AddPersistence</c> (which it does not need) and beside the
    /// other keyed ones, and is run the same way: its options are validated on start, it opens at host start (a
    /// database that cannot open stops the host), its expired documents are collected by the hosted collector, and
    /// it is drained, checkpointed and closed after the application has stopped. It takes no setting from the
    /// <c>Persistence</c> section itself, whose settings are the default database's: give each its own section.
    /// </para>
    /// <para>
    /// No two databases of a container may resolve to the same file: the options validator refuses the later one with
    /// an <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> that names both. Log messages of the
    /// hosting layer name the key, and the engine's own events carry it in a <c>Database</c> logging scope. Register
    /// its collections with <c>AddKeyedPersistenceCollections(serviceKey)</c> (generated) or
    /// <see cref="AddKeyedPersistenceCollection{TCollection, T, TKey}(IServiceCollection, string, string, bool, Func{Database, TCollection})"/>, and check its health with
    /// <c>AddHealthChecks().AddKeyedPersistence(serviceKey)</c>. Calling this again with the same key, or after the
    /// overload that takes a section, adds configuration only; that overload called after this one binds its section
    /// instead of <c>Persistence:Databases:{serviceKey}</c>.
    /// </para>
    /// </remarks>
    /// <param name="serviceKey">The database's service key and options name; not empty.</param>
    /// <exception cref="ArgumentException"><paramref name="serviceKey"/> is empty or holds ':', which would make its
    /// section a nested one (bind such a database from a section of your choice with the overload that takes one).</exception>
    public static IServiceCollection AddKeyedPersistence(this IServiceCollection services, string serviceKey, Action<PersistenceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceKey);
        if (serviceKey.Contains(ConfigurationPath.KeyDelimiter, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"The key '{serviceKey}' would name the configuration section 'Persistence:Databases:{serviceKey}', where ':' separates sections, so its settings would be read from a nested section. Use a key without ':', or AddKeyedPersistence(key, section) with the section to bind.",
                nameof(serviceKey));
        }

        var options = AddCore(services, DatabaseRegistration.Conventional(serviceKey));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return services;
    }

    /// <summary>
    /// Registers a keyed <see cref="Database"/> as <see cref="AddKeyedPersistence(IServiceCollection, string, Action{PersistenceOptions}?)"/>
    /// does, binding its options from <paramref name="section"/> (for example
    /// <c>builder.Configuration.GetSection("Cache:Persistence")</c>) instead of <c>Persistence:Databases:{serviceKey}</c>,
    /// then applying <paramref name="configure"/>. Validation messages name the settings under
    /// <paramref name="section"/>.
    /// </summary>
    /// <param name="serviceKey">The database's service key and options name; not empty.</param>
    /// <exception cref="InvalidOperationException">A database of <paramref name="serviceKey"/> is already registered
    /// from another section by another call of this overload; the same section again only adds configuration.</exception>
    public static IServiceCollection AddKeyedPersistence(this IServiceCollection services, string serviceKey, IConfigurationSection section, Action<PersistenceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceKey);
        ArgumentNullException.ThrowIfNull(section);
        var options = AddCore(services, DatabaseRegistration.FromSection(serviceKey, section));
        options.Bind(section);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return services;
    }

    /// <summary>
    /// Registers one typed collection of the keyed database <paramref name="serviceKey"/> as a keyed singleton, as
    /// itself and as <see cref="IRepository{T, TKey}"/>, both under <paramref name="serviceKey"/>
    /// (<c>[FromKeyedServices("cache")] IRepository&lt;Session, Guid&gt;</c>). The same collection type may be
    /// registered for several databases, and unkeyed for the default one: each registration is its own instance,
    /// over its own database. A collection already registered under the key is left as it is.
    /// </summary>
    /// <remarks>
    /// This registration does not say whether the collection's documents expire, so the hosted TTL collector builds
    /// the collection at host start whenever its database holds an expiry index. The overload that takes the
    /// collection's name and whether it has an [ExpiresAt] member, which the generated
    /// <c>AddKeyedPersistenceCollections(serviceKey)</c> calls, lets the collector leave it unbuilt when it has nothing
    /// to collect.
    /// </remarks>
    /// <param name="serviceKey">The key of the database, registered by <see cref="AddKeyedPersistence(IServiceCollection, string, Action{PersistenceOptions}?)"/>.</param>
    /// <param name="create">Creates the collection, for example <c>static database => new SessionCollection(database)</c>.</param>
    public static IServiceCollection AddKeyedPersistenceCollection<TCollection, T, TKey>(this IServiceCollection services, string serviceKey, Func<Database, TCollection> create)
        where TCollection : Collection<T, TKey>
        where T : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceKey);
        ArgumentNullException.ThrowIfNull(create);
        return AddKeyedCollection<TCollection, T, TKey>(services, serviceKey, null, false, create);
    }

    /// <summary>
    /// Registers one typed collection of the keyed database <paramref name="serviceKey"/> as
    /// <see cref="AddKeyedPersistenceCollection{TCollection, T, TKey}(IServiceCollection, string, Func{Database, TCollection})"/>
    /// does, saying what the hosted TTL collector needs to know without building it: the generated
    /// <c>AddKeyedPersistenceCollections(serviceKey)</c> calls this for every [Collection] type of the assembly. At host
    /// start the collector builds the collection only when it may hold expired documents: it has an [ExpiresAt] member
    /// and has been written, or its documents got expiries from a default lifetime.
    /// </summary>
    /// <param name="serviceKey">The key of the database, registered by <see cref="AddKeyedPersistence(IServiceCollection, string, Action{PersistenceOptions}?)"/>.</param>
    /// <param name="collectionName">The collection's name, as its [Collection] attribute gives it.</param>
    /// <param name="hasExpiresAt">Whether the collection's document type has an [ExpiresAt] member.</param>
    /// <param name="create">Creates the collection, for example <c>static database => new SessionCollection(database)</c>.</param>
    /// <exception cref="InvalidOptionsException">On resolve: the collection <paramref name="create"/> returns has another
    /// name than <paramref name="collectionName"/>, or its [ExpiresAt] member is not as <paramref name="hasExpiresAt"/> says
    /// (<see cref="InvalidOptionsException.Option"/> names the argument). A collection <paramref name="create"/> constructs
    /// is refused by its constructor, before it creates, builds or drops anything in the database.</exception>
    public static IServiceCollection AddKeyedPersistenceCollection<TCollection, T, TKey>(this IServiceCollection services, string serviceKey, string collectionName, bool hasExpiresAt, Func<Database, TCollection> create)
        where TCollection : Collection<T, TKey>
        where T : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceKey);
        ArgumentException.ThrowIfNullOrEmpty(collectionName);
        ArgumentNullException.ThrowIfNull(create);
        return AddKeyedCollection<TCollection, T, TKey>(services, serviceKey, collectionName, hasExpiresAt, create);
    }

    /// <summary>The registrations of a collection of a keyed database, <paramref name="name"/> null when undescribed.</summary>
    private static IServiceCollection AddKeyedCollection<TCollection, T, TKey>(IServiceCollection services, string serviceKey, string? name, bool hasExpiresAt, Func<Database, TCollection> create)
        where TCollection : Collection<T, TKey>
        where T : class
    {
        services.TryAddKeyedSingleton(serviceKey, (provider, _) =>
        {
            var database = provider.GetKeyedService<Database>(serviceKey) ?? throw new InvalidOperationException(
                $"{typeof(TCollection).Name} needs the Persistence.Database with key \"{serviceKey}\", and none is registered: call services.AddKeyedPersistence(\"{serviceKey}\") (and set Persistence:Databases:{serviceKey}:Path in the configuration).");
            var collection = CollectionRegistration.Create<TCollection, T, TKey>(database, create, name, hasExpiresAt);
            CollectionBinding.Bound(provider, serviceKey, database, collection.Name, typeof(TCollection));
            return collection;
        });
        services.TryAddKeyedSingleton<IRepository<T, TKey>>(serviceKey, static (provider, key) => provider.GetRequiredKeyedService<TCollection>(key));
        DatabaseRegistry.Of(services).AddCollection(new CollectionRegistration(
            serviceKey, typeof(TCollection), name, hasExpiresAt, provider => provider.GetRequiredKeyedService<TCollection>(serviceKey)));
        return services;
    }
}
