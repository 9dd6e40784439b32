using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests.Regressions;

/// <summary>
/// <see cref="Database.DisposeAsync"/> used to close synchronously (it called Dispose): a host awaiting it had a
/// thread-pool thread blocked for the whole final checkpoint, or for as long as a disk held it.
/// </summary>
public sealed class DisposeAsyncTests
{
    private const string DataFile = "/sim/dispose-async.db";
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The final checkpoint's first write of the data file is held: DisposeAsync returns to its caller with an
    /// incomplete task meanwhile (before the fix the call itself blocked), the task completes once the write is let
    /// go, and a power failure after it loses nothing, not even the buffered commit.
    /// </summary>
    [Fact]
    public async Task DisposeAsync_returns_while_the_final_checkpoint_is_held_and_completes_once_it_is_released()
    {
        var fs = new SimulatedFileSystem();
        var options = TestDatabases.Quiet(); // a fake clock: the buffered commit is synced by the close, nothing else
        options.BackgroundWork = false; // the only write of the data file is the final checkpoint's
        var db = TestDatabases.Open(fs, options, DataFile);
        var users = new UserCollection(db);
        users.InsertMany(Enumerable.Range(1, 100).Select(i => DisposeRaceTests.Expected(i)));
        using (var tx = db.BeginWrite(Durability.Buffered))
        {
            users.Insert(DisposeRaceTests.Expected(101), tx);
            tx.Commit();
        }

        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holding = 0;
        fs.Fault = point =>
        {
            if (point.Kind == FaultKind.Write && point.Path == DataFile && Interlocked.Exchange(ref holding, 1) == 0)
            {
                held.Set();
                release.Wait(HangGuard);
            }

            return null;
        };

        var call = TestDatabases.Dedicated(() => db.DisposeAsync().AsTask());
        Task disposing;
        try
        {
            Assert.True(held.Wait(HangGuard), "the final checkpoint never wrote the data file");
            await Task.WhenAny(call, Task.Delay(HangGuard)); // the caller's thread returns once the close awaits: a bound on a busy machine
            Assert.True(call.IsCompleted, "DisposeAsync blocked its caller while the final checkpoint was held");
            disposing = await call;
            Assert.False(disposing.IsCompleted, "the close completed under a held checkpoint");
            Assert.Equal(1, fs.OpenHandles(DataFile));
        }
        finally
        {
            release.Set();
        }

        await disposing.WaitAsync(HangGuard);
        Assert.Equal(0, fs.OpenHandles(DataFile));
        await db.DisposeAsync(); // closed already: completes at once

        using var reopened = TestDatabases.Open(fs.AfterCrash(CrashMode.DropUnsynced, new Random(1)), TestDatabases.Quiet(), DataFile);
        var after = new UserCollection(reopened);
        Assert.Equal(101, after.Count());
        Assert.Equal("user00101@example.com", after.Get(101)!.Email);
        TestDatabases.AssertConsistent(reopened);
    }
}
