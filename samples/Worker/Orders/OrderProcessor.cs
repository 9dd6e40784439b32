using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Persistence.Collections;
using Persistence.DependencyInjection;
using Worker.Sessions;

namespace Worker.Orders;

/// <summary>
/// Places orders and reads them back through the injected repositories: <see cref="IRepository{T, TKey}"/> for
/// plain reads and writes, the generated <see cref="OrderCollection"/> for its index accessors. Each order comes from a
/// checkout session in the expiring <see cref="CheckoutSessionCollection"/>. After <see cref="WorkerOptions.Orders"/>
/// orders it waits for those sessions to expire and to be collected, logs the database's health and stops the
/// application, which shuts the database down gracefully.
/// </summary>
public sealed partial class OrderProcessor(
    IRepository<Order, long> repository,
    OrderCollection orders,
    CheckoutSessionCollection sessions,
    IOptions<WorkerOptions> options,
    IOptions<PersistenceOptions> persistence,
    TimeProvider time,
    HealthCheckService health,
    IHostApplicationLifetime lifetime,
    ILogger<OrderProcessor> logger) : BackgroundService
{
    private static readonly string[] Customers = ["ada", "grace", "linus"];
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var (opened, lastOpenedAt) = await PlaceOrdersAsync(stoppingToken);
            await WatchSessionsExpireAsync(opened, lastOpenedAt, stoppingToken);
            var report = await health.CheckHealthAsync(stoppingToken);
            LogHealth(logger, report.Status, report.Entries["persistence"].Description ?? "");
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return; // Ctrl+C: the host stops us, then the database shuts down
        }

        lifetime.StopApplication();
    }

    /// <summary>Places the orders, each after opening a checkout session; returns the sessions and when the last one was written.</summary>
    private async Task<(List<Guid> Opened, DateTimeOffset LastOpenedAt)> PlaceOrdersAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var first = repository.Count() + 1; // a second run continues after the first one's orders
        LogStarting(logger, first - 1, repository.Database.Path!);
        var opened = new List<Guid>();
        var lastOpenedAt = time.GetUtcNow();
        for (var id = first; id < first + settings.Orders; id++)
        {
            var customer = Customers[id % Customers.Length];

            // ExpiresAt stays null, so the session lives for the collection's configured DefaultTimeToLive from now on.
            var session = new CheckoutSession { Id = Guid.CreateVersion7(time.GetUtcNow()), Customer = customer, OpenedAt = time.GetUtcNow() };
            await sessions.InsertAsync(session, cancellationToken: stoppingToken);
            lastOpenedAt = time.GetUtcNow(); // at or after the writing transaction's snapshot time, which the expiry counts from
            opened.Add(session.Id);

            var order = new Order { Id = id, Customer = customer, Total = 10m + id, PlacedAt = time.GetUtcNow() };
            await repository.InsertAsync(order, cancellationToken: stoppingToken); // its own durable transaction
            var back = await repository.GetAsync(id, cancellationToken: stoppingToken);
            LogPlaced(logger, back!.Id, back.Customer, back.Total, session.Id);
            await Task.Delay(settings.Interval, time, stoppingToken);
        }

        foreach (var customer in Customers)
        {
            var placed = orders.ByCustomer.Find(customer).ToList(); // an index lookup
            var open = sessions.ByCustomer.Count(customer);          // the same on the expiring collection: live sessions only
            LogCustomer(logger, customer, placed.Count, placed.Sum(o => o.Total), open);
        }

        return (opened, lastOpenedAt);
    }

    /// <summary>
    /// Waits until this run's sessions have expired, shows that no read returns them any more, then waits (bounded)
    /// until the expired-document collector, a hosted service registered by AddPersistence(), has removed them.
    /// </summary>
    private async Task WatchSessionsExpireAsync(List<Guid> opened, DateTimeOffset lastOpenedAt, CancellationToken stoppingToken)
    {
        var settings = persistence.Value; // the bound "Persistence" section, as the database was opened with it
        if (settings.Collections.GetValueOrDefault(sessions.Name)?.DefaultTimeToLive is not { } timeToLive)
        {
            LogNoLifetime(logger, sessions.Name);
            return;
        }

        if (opened.Count == 0)
        {
            return;
        }

        // 1. Expiry. A session expires timeToLive after the snapshot time of the transaction that wrote it, so all of this
        // run's sessions have expired by expiresAt.
        var expiresAt = lastOpenedAt + timeToLive;
        LogWaiting(logger, opened.Count, timeToLive, sessions.Name);
        while (expiresAt - time.GetUtcNow() is { Ticks: > 0 } wait)
        {
            // Task.Delay counts whole milliseconds on a timer, so it may wake a hair early: wait on the clock itself.
            await Task.Delay(wait + TimeSpan.FromMilliseconds(1), time, stoppingToken);
        }

        // 2. Invisible at once: every read compares a document's expiry with its snapshot time, collected or not.
        var readable = 0;
        foreach (var id in opened)
        {
            readable += await sessions.GetAsync(id, cancellationToken: stoppingToken) is null ? 0 : 1;
        }

        var indexed = Customers.Sum(customer => sessions.ByCustomer.Count(customer));
        var level = readable + indexed == 0 ? LogLevel.Information : LogLevel.Warning;
        LogExpired(logger, level, readable, opened.Count, indexed, sessions.Count(), StoredSessions());

        // 3. Collection: the collector passes every Persistence:Ttl:CollectorInterval and deletes expired documents in
        // batches. Every session stored here has expired by now (those of earlier runs too), so they are all collected
        // when the collection's keyspace is empty.
        var timeout = options.Value.CollectTimeout ?? (2 * settings.Ttl.CollectorInterval) + TimeSpan.FromSeconds(10);
        var started = time.GetTimestamp();
        long stored;
        while ((stored = StoredSessions()) > 0 && time.GetElapsedTime(started) < timeout)
        {
            await Task.Delay(Poll, time, stoppingToken);
        }

        var collected = sessions.Database.GetStatistics().ExpiredCollected; // removed by the collector since the database opened
        if (stored == 0)
        {
            LogCollected(logger, (long)(time.GetUtcNow() - expiresAt).TotalMilliseconds, collected);
        }
        else
        {
            LogNotCollected(logger, stored, timeout, collected);
        }
    }

    /// <summary>
    /// The session documents still stored, expired or not: a count on the key-value layer under the collection, whose
    /// documents live in the keyspace named after it (docs/ARCHITECTURE.md, "Keyspaces of a collection").
    /// </summary>
    private long StoredSessions()
    {
        using var transaction = sessions.Database.BeginRead();
        return transaction.Count(transaction.GetKeyspace(sessions.Name));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Health: {Status}. {Description}")]
    private static partial void LogHealth(ILogger logger, HealthStatus status, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "Placing orders after the {Existing} already in {Path}")]
    private static partial void LogStarting(ILogger logger, long existing, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Placed order {Id} for {Customer}: {Total}, from checkout session {Session}")]
    private static partial void LogPlaced(ILogger logger, long id, string customer, decimal total, Guid session);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Customer}: {Count} orders, {Total} in total; {OpenSessions} checkout sessions open")]
    private static partial void LogCustomer(ILogger logger, string customer, int count, decimal total, long openSessions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Collection {Collection} has no DefaultTimeToLive (Persistence:Collections:{Collection}): its sessions do not expire")]
    private static partial void LogNoLifetime(ILogger logger, string collection);

    [LoggerMessage(Level = LogLevel.Information, Message = "Waiting for the {Count} checkout sessions of this run to expire ({Collection} live for {TimeToLive})")]
    private static partial void LogWaiting(ILogger logger, int count, TimeSpan timeToLive, string collection);

    [LoggerMessage(Message = "At their expiry: Get returns {Readable} of the {Count} sessions, ByCustomer finds {Indexed}, Count() is {Live}; expired sessions still stored until the collector removes them: {Stored}")]
    private static partial void LogExpired(ILogger logger, LogLevel level, int readable, int count, long indexed, long live, long stored);

    [LoggerMessage(Level = LogLevel.Information, Message = "The TTL collector has removed every expired session, {ElapsedMs} ms after the last one expired ({Collected} documents collected since the database opened)")]
    private static partial void LogCollected(ILogger logger, long elapsedMs, long collected);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Stored} expired session documents are still stored after {Timeout} ({Collected} documents collected since the database opened)")]
    private static partial void LogNotCollected(ILogger logger, long stored, TimeSpan timeout, long collected);
}
