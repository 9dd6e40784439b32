using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Persistence.Testing;

namespace Persistence.Tests.Diagnostics;

public sealed class ObservabilityTests
{
    [Fact]
    public void Open_recovery_checkpoints_and_read_only_are_logged()
    {
        var fs = new SimulatedFileSystem();
        var logger = new CapturingLogger();
        var options = TestDatabases.Small();
        options.Logger = logger;
        var db = TestDatabases.Open(fs, options);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx => tx.Put(ks, [1], [1]));
        Assert.True(logger.Has(1)); // opened
        db.Checkpoint();
        Assert.Contains(logger.Entries, e => e.Event.Id == 3 && e.Level == LogLevel.Debug);

        db.Write(tx => tx.Put(ks, [2], [2]));
        var crashed = fs.AfterCrash(CrashMode.DropUnsynced, new Random(1));
        var recoveredLogger = new CapturingLogger();
        options.Logger = recoveredLogger;
        using (var recovered = TestDatabases.Open(crashed, options))
        {
            Assert.Contains(recoveredLogger.Entries, e => e.Event.Id == 2 && e.Message.Contains("Recovered 1 commits", StringComparison.Ordinal));
        }

        fs.Fault = p => p.Kind == FaultKind.Flush ? new IOException("injected") : null;
        Assert.Throws<DatabaseReadOnlyException>(() => db.Write(tx => tx.Put(ks, [3], [3])));
        Assert.Contains(logger.Entries, e => e.Event.Id == 5 && e.Level == LogLevel.Critical && e.Exception is not null);
        fs.Fault = null;
        db.Dispose();
        Assert.True(logger.Has(8)); // closed
    }

    [Fact]
    public void Instruments_report_commits_batches_latency_checkpoints_and_gauges()
    {
        // Tests run in parallel and every database has a meter named "Persistence": listen only to this database's,
        // which its own meter factory marks as its scope.
        using var factory = new ScopedMeterFactory();
        var measurements = new System.Collections.Concurrent.ConcurrentDictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Persistence" && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.AddOrUpdate(i.Name, v, (_, old) => old + v));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => measurements.AddOrUpdate(i.Name, v, (_, old) => old + v));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) =>
        {
            Assert.Contains(tags.ToArray(), t => t.Key == "db.path");
            measurements.AddOrUpdate(i.Name, v, (_, old) => Math.Max(old, v));
        });
        listener.Start();

        var fs = new SimulatedFileSystem();
        var options = TestDatabases.Small();
        options.MeterFactory = factory;
        using var db = TestDatabases.Open(fs, options);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        for (var i = 0; i < 10; i++)
        {
            db.Write(tx => tx.Put(ks, [(byte)i], new byte[100]));
        }

        db.Checkpoint();
        using var reader = db.BeginRead();
        db.Write(tx => tx.Put(ks, [99], [1]));
        listener.RecordObservableInstruments();

        Assert.Equal(12, measurements["persistence.commits"]); // the keyspace, ten puts, one more
        Assert.True(measurements["persistence.commit.duration"] > 0);
        Assert.Equal(12, measurements["persistence.wal.syncs"]);
        Assert.Equal(12, measurements["persistence.wal.batch_size"]);
        Assert.True(measurements["persistence.checkpoint.duration"] >= 0);
        Assert.True(measurements["persistence.file.size"] > 0);
        Assert.True(measurements["persistence.wal.disk_size"] > 0);
        Assert.True(measurements.ContainsKey("persistence.cache.hit_ratio"));
        Assert.True(measurements.ContainsKey("persistence.snapshot.oldest_age"));
        Assert.Equal(0, measurements["persistence.read_only"]);
    }

    /// <summary>Meters whose <see cref="Meter.Scope"/> is this factory, so that a listener can tell them from other databases'.</summary>
    private sealed class ScopedMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            options.Scope = this;
            var meter = new Meter(options);
            lock (_meters)
            {
                _meters.Add(meter);
            }

            return meter;
        }

        public void Dispose()
        {
            lock (_meters)
            {
                _meters.ForEach(m => m.Dispose());
            }
        }
    }
}
