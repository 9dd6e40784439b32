using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Persistence.Collections;

namespace Persistence.DependencyInjection;

/// <summary>
/// Runs the expired-document collector (and the writes of sliding-expiration reads) of every database of the
/// container, the default one and the keyed ones, under the host, in place of each database's own background loop
/// (which it stops when the host starts, see <see cref="Ttl.TtlCollector.RunAsync"/>), so they stop with the application.
/// </summary>
/// <remarks>
/// A collection joins its database's collector when it is constructed, that is when something resolves it. So that a
/// process that never resolves a collection (a worker writing only to others, a host restarted after the documents
/// were written) still removes its expired documents, which are invisible but take space on disk, the service builds
/// at start the registered collections that may hold expired documents (see <see cref="CollectionRegistration.MayHoldExpiringDocuments"/>):
/// those with an [ExpiresAt] member that have been written, whether or not their expiry index is built yet (it is not
/// when the member was declared since their documents were written, and building the collection builds it), and those
/// whose documents got expiries from a default lifetime. A collection without either is never built here: building it
/// would create its keyspaces and run its pending index builds before the application asks for it. A registration
/// that does not describe its collection is built when its database holds an expiry index, of any collection; in a
/// database without one, it is not: the first document with an expiry is written through a collection, which registers it
/// then. Each collection is resolved in a scope of its own, so a collection the application registered as scoped is
/// built as it would be in a request, and a singleton is the container's one instance.
/// </remarks>
internal sealed class TtlCollectorService(IServiceProvider services) : BackgroundService
{
    /// <summary>The end of the keyspace name of every collection's expiry index (<c>{collection}#$expiry</c>).</summary>
    private static readonly string ExpiryKeyspaceSuffix = CollectionKeyspaces.Separator + CollectionKeyspaces.Expiry;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var registry = services.GetRequiredService<DatabaseRegistry>();
        return Task.WhenAll(registry.Databases.Select(database => RunAsync(registry, database, stoppingToken)).ToList());
    }

    private Task RunAsync(DatabaseRegistry registry, DatabaseRegistration registration, CancellationToken stoppingToken)
    {
        var database = registration.Resolve(services);

        // Taken over first, so the collections bound below start no loop of the database's own; the loop's first pass
        // is a collector interval away, and finds them registered.
        var loop = database.Ttl.RunAsync(stoppingToken);
        if (!loop.IsCompleted && KeyspacesOf(database) is { } keyspaces)
        {
            var expiryIndexes = keyspaces.Any(IsExpiryIndex);
            var bound = BindCollectionsAsync(registry.CollectionsOf(registration.Name).Where(c => c.MayHoldExpiringDocuments(keyspaces, expiryIndexes)), registration, database, stoppingToken);
            return Task.WhenAll(bound, loop);
        }

        return loop;
    }

    /// <summary>
    /// Resolves <paramref name="collections"/>, each in a scope of its own, which registers those with an expiry with
    /// the database's collector. One that fails to bind is logged (event 110) and skipped: one the application never
    /// uses must not stop the host. A host that stops meanwhile ends the binding after the construction under way (which
    /// cannot be cancelled): the host's stop waits for this service, and the database is closed after it. Each scope is
    /// disposed asynchronously, as the host disposes a request's; a scoped service whose disposal throws is logged on
    /// its own (event 111): the collection was built or not whatever its scope's disposal does.
    /// </summary>
    private async Task BindCollectionsAsync(IEnumerable<CollectionRegistration> collections, DatabaseRegistration registration, Database database, CancellationToken stoppingToken)
    {
        foreach (var collection in collections)
        {
            if (stoppingToken.IsCancellationRequested)
            {
                return; // left to the next start, or to the application that resolves them
            }

            AsyncServiceScope scope;
            try
            {
                scope = services.CreateAsyncScope();
            }
#pragma warning disable CA1031 // Logged; the application that resolves it builds it again, and meets the failure if it lasts.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogNotBound(collection.Type, registration, database, ex);
                continue;
            }

            var closed = false;
            try
            {
                collection.Resolve(scope.ServiceProvider);
            }
            catch (TransactionStateException ex) when (ex.Code == ErrorCode.DatabaseClosed)
            {
                closed = true; // the application closed it meanwhile: nothing is left to collect, nor any collection to bind
            }
#pragma warning disable CA1031 // Logged; the application that resolves it builds it again, and meets the failure if it lasts.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogNotBound(collection.Type, registration, database, ex);
            }

            try
            {
                await scope.DisposeAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Logged; a service of the scope, not the collection, failed: the binding goes on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log(logger => HostingLog.ScopeNotDisposedAtStart(logger, collection.Type.Name, registration.DisplayName, database.Path ?? ":memory:", ex));
            }

            if (closed)
            {
                return;
            }
        }
    }

    /// <summary>Logs a collection that could not bind.</summary>
    private void LogNotBound(Type type, DatabaseRegistration registration, Database database, Exception failure) =>
        Log(logger => HostingLog.CollectionNotBoundAtStart(logger, type.Name, registration.DisplayName, database.Path ?? ":memory:", failure));

    /// <summary>
    /// Logs a failure of the binding. The application's logger may throw too: that failure is dropped, since escaping it
    /// would fault the service, which stops the host and leaves the collections after this one unbound.
    /// </summary>
    private void Log(Action<ILogger> write)
    {
        try
        {
            write(DatabaseActivator.Logger(services));
        }
#pragma warning disable CA1031 // Nowhere to report it but the log that failed; the host must not stop for it.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>The names of the database's keyspaces, or null when the application closed it as the host started.</summary>
    private static HashSet<string>? KeyspacesOf(Database database)
    {
        try
        {
            using var read = database.BeginRead();
            return read.GetKeyspaces().Select(keyspace => keyspace.Name).ToHashSet(StringComparer.Ordinal);
        }
        catch (TransactionStateException ex) when (ex.Code == ErrorCode.DatabaseClosed)
        {
            return null; // nothing is left to collect
        }
    }

    /// <summary>True for the expiry index of some collection, in which documents may have expired.</summary>
    private static bool IsExpiryIndex(string keyspace) => keyspace.EndsWith(ExpiryKeyspaceSuffix, StringComparison.Ordinal);
}
