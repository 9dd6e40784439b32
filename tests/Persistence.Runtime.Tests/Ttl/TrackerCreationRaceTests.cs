using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests.Ttl;

/// <summary>
/// The sliding-expiration tracker created while a commit of its keyspace reports its writes, forced with a hook: the
/// same interleaving as the hot cache's creation race (<see cref="HotCacheRaceTests"/>).
/// </summary>
public sealed class TrackerCreationRaceTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A commit reports its writes to the observers registered when it reads them, before its version is linked. The
    /// tracker created in between (the first instance of the collection constructed while a raw write commits) hears
    /// nothing of that commit, so its floor must not be older than the commit's version: otherwise a read of the version
    /// the commit replaced, from a snapshot older than it, is taken for a read of the written version, and keeps the
    /// written document alive past its expiry though nobody read it. (The floor was the latest version linked, read
    /// while the commit was between its reports and its link.)
    /// </summary>
    [Fact]
    public async Task A_tracker_created_while_a_commit_reports_its_writes_counts_no_read_of_what_that_commit_replaced()
    {
        var time = new FakeTimeProvider(Start);
        var fs = new SimulatedFileSystem();
        using (var first = TestDatabases.Open(fs, Options(time)))
        {
            new UserCollection(first).Insert(new User { Id = 1, Email = "a@example.com", Name = "v1" }); // expires at 10 s
        }

        using var db = TestDatabases.Open(fs, Options(time));
        byte[] key, v2;
        using (var scratch = Database.OpenInMemory())
        {
            var encoder = new UserCollection(scratch);
            (key, v2) = (encoder.EncodeKey(1), encoder.Encode(new User { Id = 1, Email = "a@example.com", Name = "v2" }).ToArray());
        }

        Keyspace documents;
        using (var read = db.BeginRead())
        {
            documents = read.GetKeyspace("users");
        }

        // The writer stops in its commit's reports, before its version is linked, until the collection is constructed.
        using var reporting = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        db.ObserveWrites(documents, (_, _) =>
        {
            reporting.Set();
            release.Wait();
        });
        time.Advance(TimeSpan.FromSeconds(8));
        using var old = db.BeginRead(); // its reads are at 8 s
        var writer = TestDatabases.Dedicated(() => db.Write(tx => tx.Put(tx.GetKeyspace("users"), key, v2)));
        Assert.True(reporting.Wait(TimeSpan.FromMinutes(1)));

        UserCollection? users = null;
        var constructing = new Thread(() => users = new UserCollection(db));
        constructing.Start();

        // Until it is constructed, or it waits for the commit to end (where it must not read the floor sooner).
        while (constructing.IsAlive && (constructing.ThreadState & ThreadState.WaitSleepJoin) == 0)
        {
            Thread.Yield();
        }

        release.Set();
        await writer;
        constructing.Join();

        Assert.Equal("v1", users!.Get(1, old)!.Name); // a read of the version the write replaced

        time.Advance(TimeSpan.FromSeconds(4)); // 12 s: past v2's expiry; nobody read v2
        Assert.False(users.Contains(1));
    }

    private static DatabaseOptions Options(TimeProvider time)
    {
        var options = TestDatabases.Small(time);
        options.Ttl.RunCollectorInBackground = false;
        options.Collections["users"] = new CollectionOptions { DefaultTimeToLive = TimeSpan.FromSeconds(10), SlidingExpiration = true };
        return options;
    }
}
