using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests.Ttl;

public sealed class CollectorTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_collector_racing_writers_and_a_long_reader_keeps_every_index_exact()
    {
        var time = new FakeTimeProvider(Start);
        var options = TestDatabases.Small(time);
        options.Ttl.RunCollectorInBackground = false;
        options.Ttl.BatchSize = 7;
        using var db = TestDatabases.Open(new SimulatedFileSystem(), options);
        var users = new UserCollection(db);
        for (var i = 0; i < 300; i++)
        {
            users.Insert(new User { Id = i, Email = $"u{i}@example.com", Age = i % 10, ExpiresAt = Start + TimeSpan.FromSeconds(i % 30) });
        }

        using var longReader = db.BeginRead(); // at the start: it keeps seeing the 290 that had not expired then (i % 30 == 0 expire at once)
        time.Advance(TimeSpan.FromSeconds(15));
        using var stop = new CancellationTokenSource();
        var writer = Task.Factory.StartNew(() =>
        {
            var random = new Random(3);
            while (!stop.IsCancellationRequested)
            {
                var id = random.Next(300);
                db.Write(tx =>
                {
                    if (users.Get(id, tx) is { } user)
                    {
                        user.ExpiresAt = random.Next(3) == 0 ? null : Start + TimeSpan.FromSeconds(random.Next(60));
                        user.Age = random.Next(10);
                        users.Update(user, tx);
                    }
                }, new RetryPolicy { MaxAttempts = 100 });
            }
        }, TaskCreationOptions.LongRunning);
        for (var pass = 0; pass < 20; pass++)
        {
            await db.CollectExpiredAsync();
        }

        await stop.CancelAsync();
        await writer;
        Assert.Equal(290, users.Count(longReader));
        Assert.Equal(290, users.All(longReader).Count());
        Assert.Empty(users.CheckConsistency());
        Assert.All(users.All(), u => Assert.True(u.ExpiresAt is null || u.ExpiresAt > Start + TimeSpan.FromSeconds(15)));
        TestDatabases.AssertConsistent(db);
    }

    [Fact]
    public async Task A_crash_in_the_middle_of_a_collection_pass_leaves_no_orphan_entries()
    {
        var failures = new List<string>();
        for (var seed = 0; seed < 30; seed++)
        {
            var time = new FakeTimeProvider(Start);
            var options = TestDatabases.Small(time);
            options.Ttl.RunCollectorInBackground = false;
            options.Ttl.BatchSize = 16;
            var fs = new SimulatedFileSystem();
            using (var db = TestDatabases.Open(fs, options))
            {
                var users = new UserCollection(db);
                users.InsertMany(Enumerable.Range(0, 200).Select(i => new User { Id = i, Email = $"u{i}@example.com", Age = i % 7, ExpiresAt = Start + TimeSpan.FromSeconds(i % 20) }));
                time.Advance(TimeSpan.FromSeconds(10));
                fs.CrashAtOperation = fs.Operations + 1 + (seed * 3 % 40);
                try
                {
                    await db.CollectExpiredAsync();
                }
                catch (Exception ex) when (ex is PersistenceException or IOException)
                {
                }
            }

            using var recovered = TestDatabases.Open(fs.AfterCrash((CrashMode)(seed % 3), new Random(seed)), options);
            var again = new UserCollection(recovered);
            var problems = again.CheckConsistency();
            var report = recovered.CheckConsistency();
            if (problems.Count > 0 || !report.IsConsistent || again.Count() != 90) // i % 20 <= 10 expired by second 10
            {
                failures.Add($"seed {seed}: {again.Count()} live, {string.Join("; ", problems.Take(3))} {report}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }
}
