using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Persistence.DependencyInjection;

/// <summary>
/// Ties the container's databases (the default one and the keyed ones, one service for all) to the host's lifetime:
/// it opens (and recovers) each, in order of registration, before any hosted service starts, so a locked, corrupt or
/// misconfigured database stops the host from starting, and shuts them down, each in order, after every hosted
/// service has stopped.
/// </summary>
/// <remarks>
/// The shutdown runs in <see cref="StoppedAsync"/>, not <see cref="StopAsync"/>: hosted services stop in reverse
/// order of registration, so in <c>StopAsync</c> a web server or worker registered before <c>AddPersistence</c>
/// could still be writing. By <c>StoppedAsync</c> the application has stopped accepting work; then the steps are:
/// drain (wait, until the host's shutdown deadline, for open write transactions to finish), checkpoint (write the
/// log into the data file, so the next open replays nothing), and close (<see cref="Database.Dispose"/>: refuse new
/// transactions, wait for commits in flight, checkpoint what they added, release the files and the lock). Each step
/// is logged. The container's disposal of the database afterwards is a no-op. The databases shut down side by side,
/// so that one draining its writers until the deadline does not take the time of the others'.
/// </remarks>
internal sealed class PersistenceHostedService(IServiceProvider services) : IHostedLifecycleService
{
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(10);
    private readonly ILogger _logger = DatabaseActivator.Logger(services);
    private readonly List<(DatabaseRegistration Registration, Database Database)> _opened = [];

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        foreach (var registration in services.GetRequiredService<DatabaseRegistry>().Databases)
        {
            var database = registration.Resolve(services);
            _opened.Add((registration, database));
            HostingLog.OpenedAtStart(_logger, registration.DisplayName, database.Path ?? ":memory:");
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_opened.Select(opened => ShutdownAsync(opened.Registration.DisplayName, opened.Database, cancellationToken)));

    private async Task ShutdownAsync(string name, Database database, CancellationToken cancellationToken)
    {
        var time = database.TimeProvider;
        var started = time.GetTimestamp();
        var path = database.Path ?? ":memory:";
        DatabaseStatistics statistics;
        try
        {
            statistics = database.GetStatistics();
        }
        catch (TransactionStateException ex) when (ex.Code == ErrorCode.DatabaseClosed)
        {
            return; // the application disposed it already
        }

        HostingLog.ShutdownStarted(_logger, name, path, statistics.ActiveWriters, statistics.WalBytesSinceCheckpoint);
        while (statistics.ActiveWriters > 0 && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                // On the system's clock, not the database's: the poll waits for other threads in real time, and a
                // container's fake clock, which a test moves by hand, would hold the stop until its deadline.
                await Task.Delay(DrainPoll, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            try
            {
                statistics = database.GetStatistics();
            }
            catch (TransactionStateException ex) when (ex.Code == ErrorCode.DatabaseClosed)
            {
                return; // the application disposed it while it drained: its own close drained and checkpointed
            }
        }

        if (statistics.ActiveWriters > 0)
        {
            HostingLog.DrainTimedOut(_logger, name, path, statistics.ActiveWriters);
        }

        if (database.IsReadOnly)
        {
            HostingLog.NoFinalCheckpoint(_logger, name, path);
        }
        else
        {
            var checkpointing = time.GetTimestamp();
            try
            {
                // On a thread-pool thread: it blocks on the disk, and run here it held the host's thread and every
                // database after this one until it was done.
                await Task.Run(database.Checkpoint, CancellationToken.None).ConfigureAwait(false);
                HostingLog.FinalCheckpoint(_logger, name, path, statistics.WalBytesSinceCheckpoint, (long)time.GetElapsedTime(checkpointing).TotalMilliseconds);
            }
            catch (PersistenceException)
            {
                HostingLog.NoFinalCheckpoint(_logger, name, path); // it failed and made the database read-only; the engine logged why
            }
        }

        await database.DisposeAsync().ConfigureAwait(false); // the final checkpoint's disk work holds no thread of the host's
        HostingLog.ShutdownCompleted(_logger, name, path, (long)time.GetElapsedTime(started).TotalMilliseconds);
    }
}
