namespace Persistence.Tests.Collections;

/// <summary>
/// The interleaving of a collection's first construction with a commit between its write reports and its version's
/// link, forced with a write observer: what the hot cache's baseline and the sliding-expiration tracker's floor are read
/// against.
/// </summary>
internal static class CommitInReports
{
    /// <summary>
    /// Opens a snapshot of <paramref name="db"/> (whose "users" holds user 1), then constructs its first
    /// <see cref="UserCollection"/> while a raw write of user 1 renamed "v2" stops in its commit's reports, before its
    /// version is linked: until the construction is done, or waits for that commit (where it must not read the version
    /// it starts from any sooner). Returns the collection and the snapshot, older than the write, once both are done.
    /// </summary>
    public static async Task<(UserCollection Users, ReadTransaction Old)> ConstructWhileACommitReports(Database db)
    {
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

        using var reporting = new ManualResetEventSlim();
        var release = new ManualResetEventSlim(); // left to the collector: a commit after this call still reports here
        db.ObserveWrites(documents, (_, _) =>
        {
            reporting.Set();
            release.Wait();
        });
        var old = db.BeginRead();
        var writer = TestDatabases.Dedicated(() => db.Write(tx => tx.Put(tx.GetKeyspace("users"), key, v2)));
        Assert.True(reporting.Wait(TimeSpan.FromMinutes(1)));

        UserCollection? users = null;
        var constructing = new Thread(() => users = new UserCollection(db));
        constructing.Start();
        while (constructing.IsAlive && (constructing.ThreadState & ThreadState.WaitSleepJoin) == 0)
        {
            Thread.Yield();
        }

        release.Set();
        await writer;
        constructing.Join();
        return (users!, old);
    }
}
