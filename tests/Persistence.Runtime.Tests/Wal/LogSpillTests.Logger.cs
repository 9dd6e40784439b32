using Microsoft.Extensions.Logging;
using Persistence.Testing;

namespace Persistence.Tests.Wal;

/// <summary>
/// The report of a scratch file that would not go (event 12) calls the application's logger, which may throw: what it
/// throws must reach neither the transaction's caller nor the bookkeeping that runs after the delete.
/// </summary>
public sealed partial class LogSpillTests
{
    /// <summary>
    /// A large transaction whose scratch file cannot be deleted, with a logger that throws on that report: the commit
    /// (whose own end drops the committed version's log) or the rollback completes without throwing, the writer is
    /// unregistered, and the next writer commits.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_logger_that_throws_on_a_scratch_file_that_would_not_go_fails_no_commit_and_leaks_no_writer(bool commit)
    {
        var fs = new SimulatedFileSystem();
        var logger = new ThrowsOnEvent(12);
        var options = Options();
        options.Logger = logger;
        var db = Database.Open(Path, options, fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        using (var tx = db.BeginWrite())
        {
            PutAll(tx, ks, round: 1);
            var spill = Assert.Single(SpillFiles(fs));
            fs.DeleteFault = path => path == spill ? new IOException("injected spill delete error") : null;
            if (commit)
            {
                tx.Commit();
            }
        }

        Assert.True(logger.Thrown > 0, "the logger was never asked to report the scratch file: the test proves nothing");
        Assert.Equal(0, db.GetStatistics().ActiveWriters);
        db.Write(tx => tx.Put(ks, CheckedValues.Key(Keys + 1), CheckedValues.Value(Keys + 1, 1)));
        if (commit)
        {
            AssertAll(db, round: 1);
        }

        fs.DeleteFault = null;
        db.Dispose();
        Assert.Empty(SpillFiles(fs));
    }

    /// <summary>A logger that throws on one event, counting the throws.</summary>
    private sealed class ThrowsOnEvent(int failing) : ILogger
    {
        private int _thrown;

        public int Thrown => Volatile.Read(ref _thrown);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == failing)
            {
                Interlocked.Increment(ref _thrown);
                throw new InvalidOperationException($"logger failed on event {eventId.Id}");
            }
        }
    }
}
