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
/// so that one draining its writers until the deadline does not take the time of the others'; each is closed whatever
/// its drain or checkpoint throws, and every database's failure reaches the host (<see cref="StoppedAsync"/>).
/// <para>
/// The opens, unlike the shutdowns, run one after another: an open that recovers nothing takes a few milliseconds (five
/// databases on a local disk open in about 20 ms), recovery replays the log since the last checkpoint (in normal
/// operation about <c>CheckpointWalBytes</c> at most), and in order the first failure leaves the databases after it
/// unopened and the log's order that of registration.
/// </para>
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

    /// <summary>
    /// Shuts every database down side by side; each is closed whatever its shutdown throws. Every failure is logged
    /// with its database (event 109) and reaches the host: one as itself, several in an <see cref="AggregateException"/>
    /// (the host rethrows what one service throws, so the databases' failures after the first would otherwise be lost).
    /// </summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        var shutdowns = await Task.WhenAll(_opened.Select(opened => ShutdownAsync(opened.Registration.DisplayName, opened.Database, cancellationToken))).ConfigureAwait(false);
        var failures = shutdowns.SelectMany(failed => failed).ToList();
        if (failures.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failures[0]);
        }

        if (failures.Count > 1)
        {
            throw new AggregateException($"The shutdown of {shutdowns.Count(failed => failed.Count > 0)} of {shutdowns.Length} databases failed; each database was closed all the same.", failures);
        }
    }

    /// <summary>
    /// Drains, checkpoints and closes one database, returning what failed (nothing when all went well). The close runs
    /// whatever the drain or the checkpoint threw.
    /// </summary>
    private async Task<List<Exception>> ShutdownAsync(string name, Database database, CancellationToken cancellationToken)
    {
        var failures = new List<Exception>();
        var started = database.TimeProvider.GetTimestamp();
        var path = database.Path ?? ":memory:";
        try
        {
            if (!await DrainAndCheckpointAsync(name, path, database, cancellationToken).ConfigureAwait(false))
            {
                return failures; // the application closed it itself
            }
        }
#pragma warning disable CA1031 // Whatever it was, the database must still close; it is logged and reported to the host below.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failures.Add(ex);
        }

        try
        {
            await database.DisposeAsync().ConfigureAwait(false); // the final checkpoint's disk work holds no thread of the host's
        }
#pragma warning disable CA1031 // Reported to the host with the other databases' failures.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failures.Add(ex);
        }

        // Logged once the database is closed: the application's logger, which may throw, must not keep it open, nor
        // take the place of the failure it reports (nor, escaping, of the other databases' failures).
        var reported = failures.Count;
        for (var i = 0; i < reported; i++)
        {
            var failure = failures[i];
            Log(() => HostingLog.ShutdownFailed(_logger, name, path, failure), failures);
        }

        if (failures.Count == 0)
        {
            Log(() => HostingLog.ShutdownCompleted(_logger, name, path, (long)database.TimeProvider.GetElapsedTime(started).TotalMilliseconds), failures);
        }

        return failures;
    }

    /// <summary>Runs <paramref name="log"/>; what the application's logger throws joins <paramref name="failures"/>.</summary>
    private static void Log(Action log, List<Exception> failures)
    {
        try
        {
            log();
        }
#pragma warning disable CA1031 // Reported to the host with the shutdown's failures.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failures.Add(ex);
        }
    }

    /// <summary>Waits for open writers (until the host's deadline) and runs the final checkpoint; false when the database is closed already.</summary>
    private async Task<bool> DrainAndCheckpointAsync(string name, string path, Database database, CancellationToken cancellationToken)
    {
        var time = database.TimeProvider;
        DatabaseStatistics statistics;
        try
        {
            statistics = database.GetStatistics();
        }
        catch (TransactionStateException ex) when (ex.Code == ErrorCode.DatabaseClosed)
        {
            return false; // the application disposed it already
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
                return false; // the application disposed it while it drained: its own close drained and checkpointed
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

        return true;
    }
}
