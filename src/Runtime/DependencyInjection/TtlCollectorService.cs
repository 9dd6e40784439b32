using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Persistence.DependencyInjection;

/// <summary>
/// Runs the expired-document collector (and the writes of sliding-expiration reads) of every database of the
/// container, the default one and the keyed ones, under the host, in place of each database's own background loop
/// (which it stops when the host starts, see <see cref="Ttl.TtlCollector.RunAsync"/>), so they stop with the application.
/// </summary>
internal sealed class TtlCollectorService(IServiceProvider services) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(services.GetRequiredService<DatabaseRegistry>().Databases
            .Select(database => database.Resolve(services).Ttl.RunAsync(stoppingToken))
            .ToList());
}
