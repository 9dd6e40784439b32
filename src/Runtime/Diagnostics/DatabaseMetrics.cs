using System.Diagnostics.Metrics;

namespace Persistence.Diagnostics;

/// <summary>
/// The database's instruments, on a <see cref="Meter"/> named <see cref="MeterName"/> (from the options' meter
/// factory when there is one, as under dependency injection). Counters and histograms are recorded where things
/// happen; gauges read <see cref="Database.GetStatistics"/> when an exporter collects. Every measurement carries the
/// database path as the <c>db.path</c> tag.
/// </summary>
internal sealed class DatabaseMetrics : IDisposable
{
    public const string MeterName = "Persistence";

    [ThreadStatic]
    private static Database? t_recording;

    private readonly Database _database;
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly KeyValuePair<string, object?> _tag;
    private readonly Counter<long> _commits;
    private readonly Histogram<double> _commitDuration;
    private readonly Counter<long> _syncs;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _checkpointDuration;
    private readonly Counter<long> _expired;

    public DatabaseMetrics(Database database, IMeterFactory? factory)
    {
        _database = database;
        _tag = new KeyValuePair<string, object?>("db.path", database.Path ?? ":memory:");
        _ownsMeter = factory is null;
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _commits = _meter.CreateCounter<long>("persistence.commits", "{commit}", "Commits acknowledged.");
        _commitDuration = _meter.CreateHistogram<double>("persistence.commit.duration", "ms", "Commit latency, from Commit to acknowledgement.");
        _syncs = _meter.CreateCounter<long>("persistence.wal.syncs", "{fsync}", "fdatasync calls on the write-ahead log.");
        _batchSize = _meter.CreateHistogram<int>("persistence.wal.batch_size", "{commit}", "Commits per write-ahead-log batch (group commit).");
        _checkpointDuration = _meter.CreateHistogram<double>("persistence.checkpoint.duration", "ms", "Checkpoint duration.");
        _expired = _meter.CreateCounter<long>("persistence.ttl.expired", "{document}", "Expired documents removed by the collector.");
        _meter.CreateObservableGauge("persistence.commit.jitter", () => Measure(database, s => (s.CommitLatencyP99 - s.CommitLatencyP50).TotalMilliseconds), "ms",
            "Commit latency spread: 99th percentile minus median, since open.");
        _meter.CreateObservableGauge("persistence.wal.size", () => Measure(database, s => (double)s.WalBytesSinceCheckpoint), "By", "Log bytes since the durable checkpoint.");
        _meter.CreateObservableGauge("persistence.wal.disk_size", () => Measure(database, s => (double)s.WalDiskBytes), "By", "Bytes of log segment files.");
        _meter.CreateObservableGauge("persistence.file.size", () => Measure(database, s => (double)s.FileBytes), "By", "Bytes of the data file.");
        _meter.CreateObservableGauge("persistence.cache.hit_ratio", () => Measure(database, s => s.CacheHitRatio), "1", "Page-cache hit ratio.");
        _meter.CreateObservableGauge("persistence.hot_cache.hit_ratio", () => Measure(database, s => s.HotCacheHits + s.HotCacheMisses == 0 ? 0 : (double)s.HotCacheHits / (s.HotCacheHits + s.HotCacheMisses)), "1",
            "Hot-cache hit ratio of the collections that have one.");
        _meter.CreateObservableGauge("persistence.snapshot.oldest_age", () => Measure(database, s => s.OldestSnapshotAge.TotalSeconds), "s", "Age of the oldest live snapshot.");
        _meter.CreateObservableGauge("persistence.snapshot.pinned_size", () => Measure(database, s => (double)s.PinnedBytes), "By", "Bytes the oldest snapshot keeps from reuse.");
        _meter.CreateObservableGauge("persistence.read_only", () => Measure(database, s => s.IsReadOnly ? 1.0 : 0.0), "1", "1 when the database refuses writes after a failure.");
    }

    /// <summary>
    /// True while this thread records a measurement of <paramref name="database"/>: the application's metrics listeners
    /// run inside the recording, on a commit's own thread for the commit and batch instruments, so a Dispose there must
    /// not wait for the commits in flight (<see cref="Database.Dispose"/>).
    /// </summary>
    public static bool IsRecording(Database database) => t_recording == database;

    public void Commit(TimeSpan duration)
    {
        var outer = Enter();
        try
        {
            _commits.Add(1, _tag);
            _commitDuration.Record(duration.TotalMilliseconds, _tag);
        }
        finally
        {
            t_recording = outer;
        }
    }

    public void Batch(int commits, bool synced)
    {
        var outer = Enter();
        try
        {
            _batchSize.Record(commits, _tag);
            if (synced)
            {
                _syncs.Add(1, _tag);
            }
        }
        finally
        {
            t_recording = outer;
        }
    }

    public void Checkpoint(TimeSpan duration) => _checkpointDuration.Record(duration.TotalMilliseconds, _tag);

    public void Expired(int documents) => _expired.Add(documents, _tag);

    private Database? Enter()
    {
        var outer = t_recording;
        t_recording = _database;
        return outer;
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private IEnumerable<Measurement<double>> Measure(Database database, Func<DatabaseStatistics, double> read)
    {
        DatabaseStatistics statistics;
        try
        {
            statistics = database.GetStatistics();
        }
        catch (TransactionStateException)
        {
            yield break; // disposed meanwhile
        }

        yield return new Measurement<double>(read(statistics), _tag);
    }
}
