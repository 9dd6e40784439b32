using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Persistence;
using Persistence.Collections;
using Persistence.DependencyInjection;

#pragma warning disable IDE0130 // By convention, service registration extensions live in the namespace of IServiceCollection.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>
/// Registers Persistence in a dependency-injection container: <c>services.AddPersistence()</c> for the database, and
/// the source-generated <c>services.AddPersistenceCollections()</c> for the typed collections of the assembly; for
/// more databases in one container, <c>AddKeyedPersistence(key)</c> and <c>AddKeyedPersistenceCollections(key)</c>.
/// Those generated methods are internal to each assembly; the collections of a class library are registered from the
/// host with the public <c>Add{Assembly}Collections()</c> generated for an assembly with public collections
/// (<c>AddContosoOrdersDataCollections()</c> for <c>Contoso.Orders.Data</c>).
/// Registration uses factories only: no reflection, no assembly scanning, safe for trimming and native AOT.
/// </summary>
public static partial class PersistenceServiceCollectionExtensions
{
    /// <summary>
    /// Registers the application's <see cref="Database"/> as a singleton, configured by <see cref="PersistenceOptions"/>
    /// bound from the <c>Persistence</c> section of the container's <see cref="IConfiguration"/> (when one is
    /// registered, as under every .NET host) and then by <paramref name="configure"/>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// When it opens: under a host, at start-up, before any hosted service starts (so a bad setting, a locked file or
    /// a corrupt database stops the host from starting); in a container without a host, on first resolve. Options are
    /// validated on start (<c>ValidateOnStart</c>), or on first resolve without a host; every problem is reported in an
    /// <see cref="OptionsValidationException"/>.
    /// </para>
    /// <para>
    /// When it closes: under a host, after every hosted service has stopped: open write transactions drain, a final
    /// checkpoint runs, and the files close (each step logged). Otherwise when the container is disposed
    /// (<see cref="Database.Dispose"/> drains commits in flight and checkpoints too).
    /// </para>
    /// <para>
    /// The engine logs to the container's <c>ILoggerFactory</c> under the category <c>Persistence</c>, and its
    /// <c>Persistence</c> meter is created from the container's <c>IMeterFactory</c> (and its clock is the container's
    /// <see cref="TimeProvider"/>), when those are registered. Calling this more than once, or after the overload that
    /// takes a section, adds configuration only; that overload called after this one binds its section instead of
    /// <c>Persistence</c>.
    /// </para>
    /// </remarks>
    public static IServiceCollection AddPersistence(this IServiceCollection services, Action<PersistenceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = AddCore(services, DatabaseRegistration.Default);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return services;
    }

    /// <summary>
    /// Registers the application's <see cref="Database"/> as <see cref="AddPersistence(IServiceCollection, Action{PersistenceOptions}?)"/>
    /// does, binding <see cref="PersistenceOptions"/> from <paramref name="section"/> (for example
    /// <c>builder.Configuration.GetSection("Persistence")</c>) instead of the container's configuration, then
    /// applying <paramref name="configure"/>. Validation messages name the settings under <paramref name="section"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The default database is already registered from another section by
    /// another call of this overload; the same section again only adds configuration. After
    /// <see cref="AddPersistence(IServiceCollection, Action{PersistenceOptions}?)"/> (a library's, say),
    /// <paramref name="section"/> is bound instead of <c>Persistence</c>.</exception>
    public static IServiceCollection AddPersistence(this IServiceCollection services, IConfigurationSection section, Action<PersistenceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        var options = AddCore(services, DatabaseRegistration.FromSection(DatabaseRegistration.Default.Name, section));
        options.Bind(section);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return services;
    }

    /// <summary>
    /// Registers one typed collection as a singleton, as itself and as <see cref="IRepository{T, TKey}"/>; resolving
    /// it resolves the <see cref="Database"/> and creates the collection's keyspaces if they do not exist. Call it
    /// yourself to register a collection from another assembly. A collection already registered is left as it is.
    /// </summary>
    /// <remarks>
    /// This registration does not say whether the collection's documents expire, so the hosted TTL collector builds
    /// the collection at host start whenever its database holds an expiry index. The overload that takes the
    /// collection's name and whether it has an [ExpiresAt] member, which the generated <c>AddPersistenceCollections()</c>
    /// calls, lets the collector leave it unbuilt when it has nothing to collect.
    /// </remarks>
    /// <param name="create">Creates the collection, for example <c>static database => new UserCollection(database)</c>.</param>
    public static IServiceCollection AddPersistenceCollection<TCollection, T, TKey>(this IServiceCollection services, Func<Database, TCollection> create)
        where TCollection : Collection<T, TKey>
        where T : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(create);
        return AddCollection<TCollection, T, TKey>(services, null, false, create);
    }

    /// <summary>
    /// Registers one typed collection as <see cref="AddPersistenceCollection{TCollection, T, TKey}(IServiceCollection, Func{Database, TCollection})"/>
    /// does, saying what the hosted TTL collector needs to know without building it: the generated
    /// <c>AddPersistenceCollections()</c> calls this for every [Collection] type of the assembly. At host start the
    /// collector builds the collection only when it may hold expired documents: it has an [ExpiresAt] member and has
    /// been written, or its documents got expiries from a default lifetime.
    /// </summary>
    /// <param name="collectionName">The collection's name, as its [Collection] attribute gives it.</param>
    /// <param name="hasExpiresAt">Whether the collection's document type has an [ExpiresAt] member.</param>
    /// <param name="create">Creates the collection, for example <c>static database => new UserCollection(database)</c>.</param>
    /// <exception cref="InvalidOptionsException">On resolve: the collection <paramref name="create"/> returns has another
    /// name than <paramref name="collectionName"/>, or its [ExpiresAt] member is not as <paramref name="hasExpiresAt"/> says
    /// (<see cref="InvalidOptionsException.Option"/> names the argument). A collection <paramref name="create"/> constructs
    /// is refused by its constructor, before it creates, builds or drops anything in the database.</exception>
    public static IServiceCollection AddPersistenceCollection<TCollection, T, TKey>(this IServiceCollection services, string collectionName, bool hasExpiresAt, Func<Database, TCollection> create)
        where TCollection : Collection<T, TKey>
        where T : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(collectionName);
        ArgumentNullException.ThrowIfNull(create);
        return AddCollection<TCollection, T, TKey>(services, collectionName, hasExpiresAt, create);
    }

    /// <summary>The registrations of a collection of the default database, <paramref name="name"/> null when undescribed.</summary>
    private static IServiceCollection AddCollection<TCollection, T, TKey>(IServiceCollection services, string? name, bool hasExpiresAt, Func<Database, TCollection> create)
        where TCollection : Collection<T, TKey>
        where T : class
    {
        services.TryAddSingleton(provider =>
        {
            var database = provider.GetService<Database>() ?? throw new InvalidOperationException(
                $"{typeof(TCollection).Name} needs a Persistence.Database, and none is registered: call services.AddPersistence() (and set Persistence:Path in the configuration).");
            var collection = CollectionRegistration.Create<TCollection, T, TKey>(database, create, name, hasExpiresAt);
            CollectionBinding.Bound(provider, DatabaseRegistration.Default.Name, database, collection.Name, typeof(TCollection));
            return collection;
        });
        services.TryAddSingleton<IRepository<T, TKey>>(static provider => provider.GetRequiredService<TCollection>());
        DatabaseRegistry.Of(services).AddCollection(new CollectionRegistration(
            DatabaseRegistration.Default.Name, typeof(TCollection), name, hasExpiresAt, static provider => provider.GetRequiredService<TCollection>()));
        return services;
    }

    /// <summary>
    /// The registrations of one database, added on its first registration, and those every database shares, added
    /// once per container; returns the options builder of the database, for the caller's configuration.
    /// </summary>
    private static OptionsBuilder<PersistenceOptions> AddCore(IServiceCollection services, DatabaseRegistration database)
    {
        var registry = DatabaseRegistry.Of(services);
        if (registry.Databases.FirstOrDefault(d => d.Name != database.Name && string.Equals(d.Name, database.Name, StringComparison.OrdinalIgnoreCase)) is { } other)
        {
            // Configuration keys ignore case and service keys do not: the two would be bound from one section (each
            // taking the other's settings), and their health checks' names are one to the health-check service.
            throw new InvalidOperationException(
                $"Persistence is registered for the key \"{other.Name}\", and now for \"{database.Name}\", which differs from it only in case. Configuration keys ignore case, so both would name the section '{DatabaseRegistration.Conventional(database.Name).Section}' and the health check 'persistence-{database.Name}': use keys that differ in more than case.");
        }

        var builder = services.AddOptions<PersistenceOptions>(database.Name);
        if (registry.Databases.Count == 0)
        {
            // One validator for every database: it reads the options name, and the registry for the other databases' paths.
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PersistenceOptions>, PersistenceOptionsValidator>(static provider => new PersistenceOptionsValidator(provider)));
            AddBackgroundServices(services);
        }

        if (registry.Find(database.Name) is { } registered)
        {
            // A call that names no section adds its configuration to the registration there is. A section given
            // replaces the conventional one of a call that named none (a library's AddPersistence(), say), whose
            // binding then reads nothing. Like a named HttpClient registered again with another typed client, two
            // sections given for one database are a conflict, refused here: both sections' values would be bound,
            // mixed, and validation could name only one section for them. The same section again only adds configuration.
            if (!database.SectionByConvention && registered.SectionByConvention)
            {
                registry.Replace(database);
            }
            else if (!database.SectionByConvention && !string.Equals(registered.Section, database.Section, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(
                    $"Persistence is registered twice for {registered.Description}, from the configuration section '{registered.Section}' and now from '{database.Section}'. A database is bound from one section: register it once, with the section to bind, and add further settings with the overloads that take only a configure action.");
            }

            return builder;
        }

        registry.Add(database);
        if (database.SectionByConvention)
        {
            // Bound while no registration from a section has replaced this one, from the container's configuration.
            builder.Configure<IServiceProvider>((options, provider) =>
            {
                if (provider.GetService<DatabaseRegistry>()?.Find(database.Name) is { SectionByConvention: true }
                    && provider.GetService<IConfiguration>() is { } configuration)
                {
                    configuration.GetSection(database.Section).Bind(options);
                }
            });
        }

        builder.ValidateOnStart();
        if (database.IsDefault)
        {
            services.TryAddSingleton(provider => DatabaseActivator.Open(provider, database));
        }
        else
        {
            services.TryAddKeyedSingleton(database.Name, (provider, _) => DatabaseActivator.Open(provider, database));
        }

        return builder;
    }

    /// <summary>
    /// The hosted services that run beside the databases, once for all of them. Hosts run them; a container without a
    /// host ignores them.
    /// </summary>
    private static void AddBackgroundServices(IServiceCollection services)
    {
        // Opens every database at host start; drains, checkpoints and closes them after the application has stopped.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PersistenceHostedService>(static provider => new PersistenceHostedService(provider)));

        // The expired-document collector of every database, registered after the service above so that it stops first.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TtlCollectorService>(static provider => new TtlCollectorService(provider)));
    }
}
