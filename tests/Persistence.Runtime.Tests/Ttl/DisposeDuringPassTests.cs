using Persistence.Testing;
using Persistence.Tests.Collections;
using Persistence.Ttl;

namespace Persistence.Tests.Ttl;

/// <summary>
/// A synchronous <see cref="Database.Dispose"/> against a pass the application runs with
/// <see cref="Database.CollectExpiredAsync"/>, which the close waits for: a disposal from inside the pass's own chain of
/// calls must not wait (it would wait for itself), and a disposal the pass waits for must not hang for ever. The hang
/// guards only turn a deadlock into a failure.
/// </summary>
public sealed class DisposeDuringPassTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A's pass runs B's pass (a collection's code of A calls B.CollectExpiredAsync and waits for it), and code in B's
    /// pass disposes A. The pass flow named B's collector alone there, so the disposal of A did not see that it ran
    /// inside A's pass: it closed A on the spot, and waited for A's pass, which waited for B's, which waited for it.
    /// Each pass now sees every pass it runs inside.
    /// </summary>
    [Fact]
    public async Task A_dispose_of_a_database_from_a_pass_nested_in_its_own_returns_and_the_close_ends_after_the_pass()
    {
        var time = new FakeTimeProvider(Start);
        var fsA = new SimulatedFileSystem();
        var a = TestDatabases.Open(fsA, Options(time));
        var b = TestDatabases.Open(new SimulatedFileSystem(), Options(time)); // disposed at the end: a deadlocked pass holds it
        var disposedA = false;
        b.Ttl.Register(new CodeCollection("disposes-a", () =>
        {
            a.Dispose(); // inside B's pass, inside A's: returns at once
            disposedA = true;
        }));
        a.Ttl.Register(new CodeCollection("runs-b", () => b.CollectExpiredAsync().GetAwaiter().GetResult())); // visited first
        var users = new UserCollection(a);
        users.Insert(new User { Id = 1, Email = "a@example.com" });
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.NotNull(users.Get(1)); // alive until 15 s once written

        // The close the disposal started runs elsewhere, and may begin before A's pass ends (which it then cuts short) or after.
        var pass = Task.Run(() => a.CollectExpiredAsync()).WaitAsync(TimeSpan.FromMinutes(1));
        await Task.WhenAny(pass);
        Assert.True(disposedA);
        if (!pass.IsCompletedSuccessfully)
        {
            var closed = await Assert.ThrowsAsync<TransactionStateException>(() => pass);
            Assert.Equal(ErrorCode.DatabaseClosed, closed.Code);
        }

        await a.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(1)); // the close the disposal started
        await b.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(1));

        using var reopened = TestDatabases.Open(fsA, Options(time));
        var again = new UserCollection(reopened);
        time.SetUtcNow(Start + TimeSpan.FromSeconds(14.9));
        Assert.True(again.Contains(1)); // A's pass, or its close, wrote the read
    }

    private static DatabaseOptions Options(TimeProvider time)
    {
        var options = TestDatabases.Small(time);
        options.Ttl.RunCollectorInBackground = false;
        options.Collections["users"] = new CollectionOptions { DefaultTimeToLive = TimeSpan.FromSeconds(10), SlidingExpiration = true };
        return options;
    }

    /// <summary>A collection of nothing whose first flush runs <paramref name="code"/>.</summary>
    private sealed class CodeCollection(string name, Action code) : ITtlCollection
    {
        private int _flushes;

        public string Name => name;

        public int CollectExpired(int batchSize, DateTimeOffset now) => 0;

        public int FlushAccesses()
        {
            if (Interlocked.Increment(ref _flushes) == 1)
            {
                code();
            }

            return 0;
        }
    }
}
