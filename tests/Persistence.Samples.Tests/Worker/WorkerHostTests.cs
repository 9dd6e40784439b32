using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Persistence.Testing;
using Worker;
using Worker.Orders;

namespace Persistence.Samples.Tests.Worker;

/// <summary>
/// The Worker sample on its generic host, in-process, against a temporary database: it places orders, its checkout
/// sessions expire and the TTL collector (a hosted service) removes them, and the host stops on its own and shuts the
/// database down. Run twice on the same database, as the sample's instructions say.
/// </summary>
public sealed class WorkerHostTests : IDisposable
{
    private const int Orders = 4;
    private const string Processor = "Worker.Orders.OrderProcessor";
    private const string Engine = "Persistence";
    private static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Two_runs_place_orders_while_their_checkout_sessions_expire_and_are_collected()
    {
        var path = _directory.File("worker.db");

        var first = await RunAsync(path);
        var second = await RunAsync(path); // the first run released the database when its host stopped

        foreach (var run in new[] { first, second })
        {
            // Expired sessions were invisible at once, and the collector removed every one of the run's sessions.
            var expired = Assert.Single(run.Logs.Find(Processor, "LogExpired"));
            Assert.Equal(Orders, expired.Values["Count"]);
            Assert.Equal(0, expired.Values["Readable"]);
            Assert.Equal(0L, expired.Values["Indexed"]);
            Assert.Equal(0L, expired.Values["Live"]);
            Assert.Equal(Orders, run.AtStop.ExpiredCollected);
            Assert.Single(run.Logs.Find(Processor, "LogCollected"));

            // Stopped by the worker itself, and shut the database down in order.
            Assert.Single(run.Logs.Find(Engine, 105)); // final checkpoint
            Assert.Single(run.Logs.Find(Engine, 107)); // shut down
            Assert.DoesNotContain(run.Logs.Entries, e => e.Level >= LogLevel.Warning);
        }

        Assert.Equal(0L, Assert.Single(first.Logs.Find(Processor, "LogStarting")).Values["Existing"]);
        Assert.Equal((long)Orders, Assert.Single(second.Logs.Find(Processor, "LogStarting")).Values["Existing"]);

        // Reopened with the sample's collections: the orders of both runs are there, the sessions are gone from the file.
        using var database = Database.Open(path, new DatabaseOptions
        {
            Collections = { ["sessions"] = new CollectionOptions { DefaultTimeToLive = TimeToLive } },
        });
        var orders = new OrderCollection(database);
        Assert.Equal(2 * Orders, orders.Count());
        Assert.All(Enumerable.Range(1, 2 * Orders), id => Assert.Equal(10m + id, orders.Get(id)?.Total));
        Assert.Equal(2 * Orders, new[] { "ada", "grace", "linus" }.Sum(customer => orders.ByCustomer.Count(customer)));

        using var read = database.BeginRead();
        Assert.Equal(0, read.Count(read.GetKeyspace("sessions")));          // removed, not only invisible
        Assert.Equal(0, read.Count(read.GetKeyspace("sessions#$expiry")));  // and their expiry entries with them
        Assert.Equal(0, read.Count(read.GetKeyspace("sessions#Customer"))); // and their index entries
    }

    /// <summary>
    /// Runs the worker until it stops the application itself (or the timeout, which fails the test). Every setting the
    /// test relies on comes from the arguments: this project's output folder holds one appsettings.json for both
    /// samples it references, so it may be the Web API's.
    /// </summary>
    private static async Task<Run> RunAsync(string path)
    {
        var logs = new LogCollector();
        using var host = WorkerApplication.Build(
            [
                $"--Persistence:Path={path}",
                "--Persistence:Ttl:CollectorInterval=00:00:01", // the shortest the options validator accepts
                $"--Persistence:Collections:sessions:DefaultTimeToLive={TimeToLive}",
                $"--Worker:Orders={Orders}",
                "--Worker:Interval=00:00:00.010",
                "--Worker:CollectTimeout=00:01:00", // the collector runs on the thread pool, which a loaded machine may starve
            ],
            builder =>
            {
                builder.Logging.ClearProviders();
                builder.Logging.AddProvider(logs);
                builder.Logging.AddFilter<LogCollector>(null, LogLevel.Debug);
            });

        // The worker calls StopApplication when it is done; the database is still open then (it closes after every
        // hosted service has stopped), so its statistics can be read.
        DatabaseStatistics? atStop = null;
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(
            () => atStop = host.Services.GetRequiredService<Database>().GetStatistics());

        using var timeout = new CancellationTokenSource(RunTimeout);
        await host.RunAsync(timeout.Token);

        Assert.False(timeout.IsCancellationRequested, $"The worker did not stop the application within {RunTimeout}.");
        Assert.NotNull(atStop);
        return new Run(logs, atStop);
    }

    private sealed record Run(LogCollector Logs, DatabaseStatistics AtStop);
}
