using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Persistence.Collections;

namespace Worker.Orders;

/// <summary>
/// Places orders and reads them back through the injected repositories: <see cref="IRepository{T, TKey}"/> for
/// plain reads and writes, the generated <see cref="OrderCollection"/> for its index accessors. After
/// <see cref="WorkerOptions.Orders"/> orders it logs the database's health and stops the application, which shuts the database down gracefully.
/// </summary>
public sealed partial class OrderProcessor(
    IRepository<Order, long> repository,
    OrderCollection orders,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    HealthCheckService health,
    IHostApplicationLifetime lifetime,
    ILogger<OrderProcessor> logger) : BackgroundService
{
    private static readonly string[] Customers = ["ada", "grace", "linus"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var first = repository.Count() + 1; // a second run continues after the first one's orders
        LogStarting(logger, first - 1, repository.Database.Path!);
        for (var id = first; id < first + settings.Orders && !stoppingToken.IsCancellationRequested; id++)
        {
            var order = new Order { Id = id, Customer = Customers[id % Customers.Length], Total = 10m + id, PlacedAt = time.GetUtcNow() };
            await repository.InsertAsync(order, cancellationToken: stoppingToken); // its own durable transaction
            var back = await repository.GetAsync(id, cancellationToken: stoppingToken);
            LogPlaced(logger, back!.Id, back.Customer, back.Total);
            try
            {
                await Task.Delay(settings.Interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break; // Ctrl+C: the host stops us, then the database shuts down
            }
        }

        foreach (var customer in Customers)
        {
            var placed = orders.ByCustomer.Find(customer).ToList(); // an index lookup
            LogCustomer(logger, customer, placed.Count, placed.Sum(o => o.Total));
        }

        var report = await health.CheckHealthAsync(stoppingToken);
        LogHealth(logger, report.Status, report.Entries["persistence"].Description ?? "");
        lifetime.StopApplication();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Health: {Status}. {Description}")]
    private static partial void LogHealth(ILogger logger, HealthStatus status, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "Placing orders after the {Existing} already in {Path}")]
    private static partial void LogStarting(ILogger logger, long existing, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Placed order {Id} for {Customer}: {Total}")]
    private static partial void LogPlaced(ILogger logger, long id, string customer, decimal total);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Customer}: {Count} orders, {Total} in total")]
    private static partial void LogCustomer(ILogger logger, string customer, int count, decimal total);
}
