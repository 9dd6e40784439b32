using Persistence.Testing;

namespace Persistence.Tests;

/// <summary>Opening databases for engine tests, and the consistency check every engine test ends with.</summary>
public static class TestDatabases
{
    /// <summary>Small pages, segments and thresholds, so that splits, overflow, segment switches and checkpoints all happen in small tests.</summary>
    public static DatabaseOptions Small(TimeProvider? time = null) => new()
    {
        PageSize = 4096,
        PageCacheBytes = 64 * 4096,
        WalSegmentBytes = 64 << 10,
        CheckpointWalBytes = 1 << 20,
        TimeProvider = time ?? TimeProvider.System,
    };

    /// <summary>
    /// <see cref="Small"/>, with a 256-page cache and no checkpoint but the ones a test asks for: what the log holds at a
    /// crash does not depend on when a background checkpoint ran. No background work at all: the limits alone left the
    /// dirty-page trigger (a quarter of the cache), which a large commit reaches, and a checkpoint it started on the
    /// background thread could finish before a test's simulated crash or not (LeafSpillTests once recovered nothing).
    /// </summary>
    public static DatabaseOptions Quiet()
    {
        var options = Small(new FakeTimeProvider());
        options.PageCacheBytes = 256 * 4096;
        options.CheckpointWalBytes = 1L << 40;
        options.CheckpointInterval = TimeSpan.FromDays(1);
        options.BackgroundWork = false;
        return options;
    }

    public static Database Open(SimulatedFileSystem fs, DatabaseOptions? options = null, string path = "/sim/test.db") =>
        Database.Open(path, options ?? Small(), fs);

    /// <summary>Runs the consistency checker and fails the test with its findings.</summary>
    public static void AssertConsistent(Database database)
    {
        var report = database.CheckConsistency();
        Assert.True(report.IsConsistent, report.ToString());
    }

    /// <summary>Checks, then disposes (which checkpoints), then reopens and checks again.</summary>
    public static Database CloseCheckAndReopen(Database database, SimulatedFileSystem fs, DatabaseOptions? options = null)
    {
        AssertConsistent(database);
        var path = database.Path!;
        database.Dispose();
        var reopened = Database.Open(path, options ?? Small(), fs);
        AssertConsistent(reopened);
        return reopened;
    }

    public static byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    public static string Text(ReadOnlySpan<byte> bytes) => System.Text.Encoding.UTF8.GetString(bytes);

    /// <summary>Runs <paramref name="work"/> on a thread of its own, so that busy loops do not hold thread-pool threads other tests wait for.</summary>
    public static Task Dedicated(Action work) => Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <inheritdoc cref="Dedicated(Action)"/>
    public static Task<T> Dedicated<T>(Func<T> work) => Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// A stop signal for the threads of a timed stress test, by the clock alone: a <see cref="CancellationTokenSource"/>
    /// with a delay is cancelled by a thread-pool timer, which a loaded test run can starve for a minute (a 2-second
    /// test once ran for 79 s that way, its writers piling up conflicts).
    /// </summary>
    public static Func<bool> StopAfter(TimeSpan duration)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        return () => System.Diagnostics.Stopwatch.GetElapsedTime(started) >= duration;
    }

    /// <summary>
    /// A stop signal for the threads of a stress test whose assertions need some work done (so many operations, checks,
    /// recycled buffers): it runs for at least <paramref name="duration"/>, then on until <paramref name="enough"/> holds,
    /// and gives up after <paramref name="giveUpAfter"/> (a minute unless told) whatever it says, for the test's own
    /// assertion on the counts to fail then. A loaded machine may get far less done in a fixed time: a CI run once saw 8
    /// commits in 4.5 s where a run usually has thousands. <paramref name="enough"/> must only ever go from false to true.
    /// </summary>
    public static StressRun RunFor(TimeSpan duration, Func<bool> enough, TimeSpan? giveUpAfter = null) =>
        new(duration, enough, giveUpAfter ?? TimeSpan.FromSeconds(60));

    /// <summary>The stop signal of <see cref="RunFor"/>, and how long the run has lasted (for failure messages).</summary>
    public sealed class StressRun(TimeSpan duration, Func<bool> enough, TimeSpan giveUpAfter)
    {
        private readonly long _started = System.Diagnostics.Stopwatch.GetTimestamp();

        public TimeSpan Elapsed => System.Diagnostics.Stopwatch.GetElapsedTime(_started);

        /// <summary>Whether the threads should stop: by the clock alone until <c>duration</c>, then once there was enough.</summary>
        public bool Stop()
        {
            var elapsed = Elapsed;
            return elapsed >= duration && (elapsed >= giveUpAfter || enough());
        }

        public override string ToString() => $"{Elapsed.TotalSeconds:F1} s";
    }
}
