using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Persistence.DependencyInjection;

/// <summary>
/// Reports the database's health from its statistics, which it returns as the result's data. Unhealthy (the
/// registration's failure status) when the database is read-only after a failed write or fsync or detected
/// corruption, or when the last consistency check found problems; Degraded when the log since the last checkpoint,
/// the age of the oldest snapshot or the bytes it pins pass the <see cref="PersistenceHealthCheckOptions"/>
/// thresholds; Healthy otherwise. Cheap: it reads counters and walks the retained versions under the version chain's
/// reclaim lock, which a publication takes only briefly to retire versions. A database disposed before or during the
/// check, or a container disposed at shutdown, reports the failure status as closed. A database not opened yet (no
/// host, nothing resolved it) is opened by the check, on a thread-pool thread, the check waiting only as long as its
/// cancellation token (its timeout) allows.
/// </summary>
/// <param name="database">The database checked: the default one, or a keyed one (with its named options' thresholds).</param>
internal sealed class PersistenceHealthCheck(IServiceProvider services, DatabaseRegistration database) : IHealthCheck
{
    /// <summary>The resolves under way, by container and database: checks during an open wait for it together.</summary>
    private static readonly ConditionalWeakTable<IServiceProvider, ConcurrentDictionary<string, Task<(Database, PersistenceHealthCheckOptions)>>> InFlight = [];

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Resolving opens the database if nothing has yet (a container without a host, where the first resolve opens
        // it), and the open recovers the log, which may take long: it runs on a thread-pool thread, and the check waits
        // for it only as long as its token allows (the health-check service's timeout, reported as the failure
        // status). The open cannot be cancelled; it goes on, and a later check finds the database open. If the open
        // fails (or no database is registered under the key), the health-check service reports the exception.
        var resolving = Resolving(services, database);
        Database opened;
        PersistenceHealthCheckOptions thresholds;
        try
        {
            (opened, thresholds) = await resolving.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException ex)
        {
            // A probe during shutdown: the container was disposed, and the database with it.
            return new HealthCheckResult(context.Registration.FailureStatus, "The database is closed: the application's services were disposed.", ex);
        }

        return Check(opened, thresholds, context.Registration.FailureStatus);
    }

    /// <summary>
    /// The resolve of <paramref name="database"/> under way in <paramref name="services"/>, or a new one on a thread-pool
    /// thread. Each probe ran one of its own, and probes during a long open (every few seconds, each given up at its
    /// timeout) each held a thread-pool thread blocked on the container's lock until the open was done. A resolve is
    /// shared only while it runs: one that failed is retried by the next check, as the container retries the open.
    /// </summary>
    private static Task<(Database, PersistenceHealthCheckOptions)> Resolving(IServiceProvider services, DatabaseRegistration database)
    {
        var inFlight = InFlight.GetValue(services, static _ => new(StringComparer.Ordinal));
        if (inFlight.TryGetValue(database.Name, out var running))
        {
            return running;
        }

        var resolve = new Task<(Database, PersistenceHealthCheckOptions)>(() =>
        {
            var opened = database.Resolve(services);
            return (opened, DatabaseActivator.HealthCheckOptionsOf(opened) ?? database.GetOptions(services).HealthCheck);
        });
        running = inFlight.GetOrAdd(database.Name, resolve);
        if (ReferenceEquals(running, resolve))
        {
            // Done: no longer shared; and a failure that no check waited for is for the next resolve to report, not
            // an unobserved task's.
            _ = resolve.ContinueWith(
                task =>
                {
                    inFlight.TryRemove(KeyValuePair.Create(database.Name, task));
                    return task.Exception;
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            resolve.Start(TaskScheduler.Default);
        }

        return running;
    }

    internal static HealthCheckResult Check(Database database, PersistenceHealthCheckOptions thresholds, HealthStatus failureStatus)
    {
        var path = database.Path ?? ":memory:";
        DatabaseStatistics statistics;
        try
        {
            statistics = database.GetStatistics();
        }
        catch (TransactionStateException ex) when (ex.Code == ErrorCode.DatabaseClosed)
        {
            // Disposed before the check, or while it ran: the statistics never fail any other way (reads racing the
            // disposal are refused with this code, see PageStore).
            return new HealthCheckResult(failureStatus, $"Database {path} is closed.", ex);
        }

        var data = Data(statistics);
        if (database.ReadOnlyCause is { } cause)
        {
            var description = cause is CorruptionException
                ? $"Corruption was detected in {path}: {cause.Message} It refuses writes: restore it from a backup, or restart to reopen it."
                : $"Database {path} is read-only after a failure: {cause.Message} Acknowledged commits are safe in the log: restart to reopen and recover it.";
            return new HealthCheckResult(failureStatus, description, cause, data);
        }

        if (database.LastConsistencyReport is { IsConsistent: false } report)
        {
            return new HealthCheckResult(failureStatus, $"The last consistency check of {path} found {report.Errors.Count} problem(s): {report.Errors[0]}", data: data);
        }

        var problems = new List<string>();
        var maxWalBytes = thresholds.MaxWalBytesFor(database.Options.CheckpointWalBytes);
        if (statistics.WalBytesSinceCheckpoint > maxWalBytes)
        {
            problems.Add($"{Show(statistics.WalBytesSinceCheckpoint)} bytes of log since the last checkpoint, above {Show(maxWalBytes)}: checkpoints are falling behind the writes (or a snapshot keeps them from completing)");
        }

        if (statistics.OldestSnapshotAge > thresholds.MaxOldestSnapshotAge)
        {
            problems.Add($"the oldest snapshot has been held for {statistics.OldestSnapshotAge:c}, longer than {thresholds.MaxOldestSnapshotAge:c}: a read transaction or an enumeration is not being disposed");
        }

        if (statistics.PinnedBytes > thresholds.MaxPinnedBytes)
        {
            problems.Add($"the oldest snapshot keeps {Show(statistics.PinnedBytes)} bytes of pages from reuse, above {Show(thresholds.MaxPinnedBytes)}: the file grows until it ends");
        }

        return problems.Count > 0
            ? HealthCheckResult.Degraded($"Database {path}: " + string.Join("; ", problems) + ".", data: data)
            : HealthCheckResult.Healthy($"Database {path} is writable; {Show(statistics.WalBytesSinceCheckpoint)} bytes of log since the last checkpoint.", data);
    }

    /// <summary>The statistics as health-check data, named as in <see cref="DatabaseStatistics"/> (durations in milliseconds).</summary>
    internal static Dictionary<string, object> Data(DatabaseStatistics s) => new(StringComparer.Ordinal)
    {
        [nameof(s.Version)] = s.Version,
        [nameof(s.Commits)] = s.Commits,
        [nameof(s.WriteConflicts)] = s.WriteConflicts,
        [nameof(s.CommitLatencyP50) + "Ms"] = s.CommitLatencyP50.TotalMilliseconds,
        [nameof(s.CommitLatencyP99) + "Ms"] = s.CommitLatencyP99.TotalMilliseconds,
        [nameof(s.CommitLatencyMax) + "Ms"] = s.CommitLatencyMax.TotalMilliseconds,
        [nameof(s.WalBatches)] = s.WalBatches,
        [nameof(s.WalSyncs)] = s.WalSyncs,
        [nameof(s.WalBytesSinceCheckpoint)] = s.WalBytesSinceCheckpoint,
        [nameof(s.WalDiskBytes)] = s.WalDiskBytes,
        [nameof(s.Checkpoints)] = s.Checkpoints,
        [nameof(s.LastCheckpointDuration) + "Ms"] = s.LastCheckpointDuration.TotalMilliseconds,
        [nameof(s.FileBytes)] = s.FileBytes,
        [nameof(s.ReusablePages)] = s.ReusablePages,
        [nameof(s.CacheHitRatio)] = s.CacheHitRatio,
        [nameof(s.ActiveWriters)] = s.ActiveWriters,
        [nameof(s.OldestSnapshotAge) + "Ms"] = s.OldestSnapshotAge.TotalMilliseconds,
        [nameof(s.PinnedBytes)] = s.PinnedBytes,
        [nameof(s.IsReadOnly)] = s.IsReadOnly,
    };

    private static string Show(long value) => value.ToString(CultureInfo.InvariantCulture);
}
