using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Persistence.DependencyInjection;

/// <summary>
/// Runs the database's expired-document collector (and the writes of sliding-expiration reads) under the host, in
/// place of the database's own background loop, so it starts and stops with the application.
/// </summary>
internal sealed class TtlCollectorService(IServiceProvider services) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        services.GetRequiredService<Database>().Ttl.RunAsync(stoppingToken);
}
