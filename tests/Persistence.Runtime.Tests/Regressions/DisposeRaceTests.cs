using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests.Regressions;

/// <summary>
/// Operations racing or following <see cref="Database.Dispose"/> complete correctly or throw
/// <see cref="TransactionStateException"/> with <see cref="ErrorCode.DatabaseClosed"/>. Dispose used to close the data
/// file under reads already under way (a Get, scan or query checks the database when it starts, not before each page
/// it misses), which surfaced a raw <see cref="ObjectDisposedException"/>; the consistency checker took the refusal for
/// a finding. The simulated file system could not show it: its handles ignored disposal.
/// </summary>
public sealed class DisposeRaceTests
{
    private const string DataFile = "/sim/race.db";
    private const int Users = 2000;

    /// <summary>
    /// 2,000 users of about 250 bytes in 4 KiB pages: several hundred pages against a 64-page cache, so that reads
    /// after a reopen miss. Built once, closed cleanly; each test opens a copy.
    /// </summary>
    private static readonly Lazy<SimulatedFileSystem> Image = new(() =>
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs, path: DataFile);
        var users = new UserCollection(db);
        for (var start = 1; start <= Users; start += 500)
        {
            users.InsertMany(Enumerable.Range(start, 500).Select(i => Expected(i)));
        }

        return fs;
    });

    public enum Operation
    {
        Get,
        GetAsync,
        TransactionGet,
        CursorScan,
        CollectionScan,
        IndexQuery,
        CollectionWrite,
        KeyspaceDelete,
        Backup,
    }

    /// <summary>
    /// Each kind of operation holds a read of the data file in flight, Dispose runs meanwhile, and the read is let go
    /// once Dispose waits for it (before the fix, once Dispose had closed the file under it). The operation returns the
    /// right documents, or stops with DatabaseClosed; the file stays open until the read is done.
    /// </summary>
    [Theory]
    [InlineData(Operation.Get)]
    [InlineData(Operation.GetAsync)]
    [InlineData(Operation.TransactionGet)]
    [InlineData(Operation.CursorScan)]
    [InlineData(Operation.CollectionScan)]
    [InlineData(Operation.IndexQuery)]
    [InlineData(Operation.CollectionWrite)]
    [InlineData(Operation.KeyspaceDelete)]
    [InlineData(Operation.Backup)]
    public async Task An_operation_with_a_read_in_flight_when_dispose_runs_completes_or_reports_the_database_closed(Operation operation)
    {
        var fs = Image.Value.Clone();
        var db = TestDatabases.Open(fs, path: DataFile);
        var users = new UserCollection(db);
        using var hold = new HeldRead(fs, DataFile);

        var run = TestDatabases.Dedicated(() => Run(operation, db, users, hold, fs));
        hold.WaitUntilHeld(run);
        var closing = TestDatabases.Dedicated(db.Dispose);
        HeldRead.WaitForClose(db, fs, DataFile, closing);
        Assert.Equal(1, fs.OpenHandles(DataFile)); // the file stays open under the read in flight
        hold.Release();
        await closing;

        AssertCompletedOrClosed(await Record.ExceptionAsync(() => run));
        Assert.Equal(0, fs.OpenHandles(DataFile));
    }

    /// <summary>
    /// The consistency check's walk of the visible version reads pages after the checkpoint lock is released: a
    /// disposal there used to make it report the refused reads as inconsistencies (and the health check then report the
    /// database as damaged). It now throws DatabaseClosed and records no report.
    /// </summary>
    [Fact]
    public async Task A_consistency_check_cut_short_by_dispose_reports_the_database_closed_not_damage()
    {
        var fs = Image.Value.Clone();
        var db = TestDatabases.Open(fs, path: DataFile);
        using var hold = new HeldRead(fs, DataFile);

        var check = TestDatabases.Dedicated(() =>
        {
            hold.Arm(when: () => !db.Checkpointer!.RunLock.IsHeldByCurrentThread); // past the walk of the file
            var report = db.CheckConsistency();
            Assert.True(report.IsConsistent, report.ToString());
        });
        hold.WaitUntilHeld(check);
        var closing = TestDatabases.Dedicated(db.Dispose);
        HeldRead.WaitForClose(db, fs, DataFile, closing);
        hold.Release();
        await closing;

        AssertCompletedOrClosed(await Record.ExceptionAsync(() => check));
        Assert.Null(db.LastConsistencyReport);
    }

    /// <summary>
    /// A write transaction larger than its limit writes leaves to the data file (a spill) under the checkpoint lock. One
    /// that took the lock after the last checkpoint wrote into a file being closed, or, once Dispose returned and
    /// released the lock, into a file another instance may have opened since. Spills are refused once the checkpointer
    /// stopped: here the write that would spill reads a page in flight while Dispose runs, and spills after that read.
    /// </summary>
    [Fact]
    public async Task A_spill_that_starts_after_the_last_checkpoint_is_refused_and_writes_nothing()
    {
        var fs = Image.Value.Clone();
        var db = TestDatabases.Open(fs, path: DataFile);
        var users = new UserCollection(db);
        db.SpillLeavesAfter = int.MaxValue;
        using var hold = new HeldRead(fs, DataFile);
        var writer = 0;
        var writesAfterClose = 0;
        Task? closing = null;
        fs.Fault = point =>
        {
            if (point.Path == DataFile && Environment.CurrentManagedThreadId == Volatile.Read(ref writer))
            {
                // A spill's write: let the close that runs meanwhile finish with the file first, as it may.
                SpinWait.SpinUntil(() => fs.OpenHandles(DataFile) == 0 || Volatile.Read(ref closing) is { IsCompleted: true }, TimeSpan.FromSeconds(60));
                Interlocked.Increment(ref writesAfterClose);
            }

            return null;
        };

        var write = TestDatabases.Dedicated(() =>
        {
            using var tx = db.BeginWrite();
            var scratch = tx.CreateKeyspace("scratch"); // a private tree from now on: its nodes are the transaction's own
            for (var i = 0; i < 2000; i++)
            {
                tx.Put(scratch, BitConverter.GetBytes(i), new byte[200]);
            }

            db.SpillLeavesAfter = 16; // the next write spills
            Volatile.Write(ref writer, Environment.CurrentManagedThreadId);
            hold.Arm();
            tx.Put(users.Documents, users.EncodeKey(1234), new byte[10]);
            tx.Commit();
        });
        hold.WaitUntilHeld(write);
        Volatile.Write(ref closing, TestDatabases.Dedicated(db.Dispose));
        HeldRead.WaitForClose(db, fs, DataFile, closing!);
        hold.Release();
        await closing!;

        var failure = await Record.ExceptionAsync(() => write);
        Assert.True(failure is TransactionStateException { Code: ErrorCode.DatabaseClosed }, $"Expected DatabaseClosed, got: {failure}");
        Assert.Equal(0, writesAfterClose);
    }

    /// <summary>
    /// Readers of every kind run flat out while the database is disposed under them, several rounds: each ends with
    /// DatabaseClosed, and every document read before is the right one.
    /// </summary>
    [Fact]
    public async Task Concurrent_gets_queries_and_scans_against_dispose_end_only_with_the_database_closed()
    {
        for (var round = 0; round < 8; round++)
        {
            var fs = Image.Value.Clone();
            var db = TestDatabases.Open(fs, path: DataFile);
            var users = new UserCollection(db);
            var operations = new int[4];
            var readers = Enumerable.Range(0, operations.Length).Select(reader => TestDatabases.Dedicated(() =>
            {
                var random = new Random((round * 31) + reader);
                while (true)
                {
                    var id = random.Next(1, Users + 1);
                    switch ((reader + operations[reader]) % 4)
                    {
                        case 0:
                            AssertUser(id, users.Get(id));
                            break;
                        case 1:
                            AssertUser(id, users.GetAsync(id).AsTask().GetAwaiter().GetResult());
                            break;
                        case 2:
                            var next = id;
                            foreach (var user in users.Range(id, Math.Min(id + 40, Users + 1)))
                            {
                                AssertUser(next++, user);
                            }

                            Assert.Equal(Math.Min(id + 40, Users + 1), next);
                            break;
                        default:
                            var age = id % 60;
                            var found = users.Query().Where(u => u.Age.Is(age)).Take(10).Select(u => u.Id).ToList(); // may throw: not inside Assert.Equal
                            Assert.Equal(Enumerable.Range(1, Users).Where(i => i % 60 == age).Take(10).Select(i => (long)i), found);
                            break;
                    }

                    Interlocked.Increment(ref operations[reader]);
                }
            })).ToArray();

            Assert.True(SpinWait.SpinUntil(() => Enumerable.Range(0, operations.Length).All(i => Volatile.Read(ref operations[i]) >= 20) || readers.Any(r => r.IsCompleted), TimeSpan.FromSeconds(60)));
            db.Dispose();
            foreach (var reader in readers)
            {
                var failure = await Record.ExceptionAsync(() => reader);
                Assert.NotNull(failure);
                AssertCompletedOrClosed(failure);
            }
        }
    }

    /// <summary>
    /// Writers commit flat out, durable and buffered, while DisposeAsync runs under them, many rounds; most rounds find
    /// commits in flight when the close starts to wait for them. The close always completes, however the last commits
    /// out interleave with its reads of the count and its signal (a lost wake-up hangs it); every writer ends with
    /// DatabaseClosed; and every acknowledged commit survives a power failure after the close.
    /// </summary>
    [Fact]
    public async Task Commits_racing_dispose_async_end_with_the_database_closed_and_every_acknowledged_one_survives()
    {
        var hangGuard = TimeSpan.FromSeconds(60);
        for (var round = 0; round < 40; round++)
        {
            var fs = new SimulatedFileSystem();
            var db = TestDatabases.Open(fs, path: DataFile); // the real clock: the buffered flush timer races the close too
            var ks = db.Write(tx => tx.CreateKeyspace("race"));
            var acknowledged = Enumerable.Range(0, 4).Select(_ => new List<string>()).ToArray();
            var progress = new int[acknowledged.Length];
            var writers = Enumerable.Range(0, acknowledged.Length).Select(writer => TestDatabases.Dedicated(() =>
            {
                for (var i = 0; ; i++)
                {
                    var key = $"{writer}-{i}";
                    try
                    {
                        db.Write(tx => tx.Put(ks, TestDatabases.Bytes(key), TestDatabases.Bytes(key)), durability: (writer + i) % 3 == 0 ? Durability.Buffered : Durability.Durable);
                    }
                    catch (TransactionStateException closed) when (closed.Code == ErrorCode.DatabaseClosed)
                    {
                        return;
                    }

                    acknowledged[writer].Add(key);
                    Volatile.Write(ref progress[writer], i + 1);
                }
            })).ToArray();

            var enough = 1 + (round % 8); // the close lands at varied points of the writers' commits
            Assert.True(SpinWait.SpinUntil(() => Enumerable.Range(0, progress.Length).All(i => Volatile.Read(ref progress[i]) >= enough) || writers.Any(w => w.IsCompleted), hangGuard));
            await db.DisposeAsync().AsTask().WaitAsync(hangGuard);
            await Task.WhenAll(writers).WaitAsync(hangGuard); // a writer that failed otherwise fails the test here

            using var reopened = TestDatabases.Open(fs.AfterCrash(CrashMode.DropUnsynced, new Random(round)), path: DataFile);
            using (var read = reopened.BeginRead())
            {
                var race = read.GetKeyspace("race");
                foreach (var key in acknowledged.SelectMany(keys => keys))
                {
                    Assert.True(read.ContainsKey(race, TestDatabases.Bytes(key)), $"round {round}: the acknowledged commit of {key} was lost");
                }
            }

            TestDatabases.AssertConsistent(reopened);
        }
    }

    /// <summary>
    /// Disposing neither waits for transactions nor for enumerations: one disposed from inside its own loop (the same
    /// thread) returns, and the loop's next step, like every later use of a transaction kept open, is refused.
    /// </summary>
    [Fact]
    public void Dispose_from_inside_an_enumeration_returns_and_every_later_use_reports_the_database_closed()
    {
        var fs = Image.Value.Clone();
        var db = TestDatabases.Open(fs, path: DataFile);
        var users = new UserCollection(db);
        var read = db.BeginRead();
        var write = db.BeginWrite();
        var cursor = read.OpenCursor(users.Documents);
        Assert.True(cursor.First());

        var seen = 0;
        var closed = Assert.Throws<TransactionStateException>(() =>
        {
            foreach (var user in users.All())
            {
                AssertUser(++seen, user);
                if (seen == 10)
                {
                    db.Dispose();
                }
            }
        });
        Assert.Equal(ErrorCode.DatabaseClosed, closed.Code);
        Assert.Equal(10, seen);

        var uses = new Action[]
        {
            () => read.Get(users.Documents, users.EncodeKey(1)),
            () => read.Count(users.Documents),
            () => cursor.Next(),
            () => _ = cursor.Value.Length,
            () => users.Get(1, read),
            () => users.Query(read).Where(u => u.Age.Is(7)).ToList(),
            () => users.Get(2),
            () => users.All().ToList(),
            () => users.Upsert(Expected(1), write),
            () => write.Commit(),
            () => db.GetStatistics(),
            () => db.CheckConsistency(),
            () => db.Checkpoint(),
            () => db.Shrink(),
            () => db.Backup("/sim/copy.db"),
        };
        foreach (var use in uses)
        {
            Assert.Equal(ErrorCode.DatabaseClosed, Assert.Throws<TransactionStateException>(use).Code);
        }

        read.Dispose();
        write.Dispose();
    }

    internal static User Expected(long id) => new()
    {
        Id = id,
        Email = $"user{id:D5}@example.com",
        Age = (int)(id % 60),
        Name = new string((char)('a' + (id % 26)), 200),
    };

    private static void AssertUser(long id, User? user)
    {
        Assert.NotNull(user);
        var expected = Expected(id);
        Assert.Equal((expected.Id, expected.Email, expected.Age, expected.Name), (user.Id, user.Email, user.Age, user.Name));
    }

    private static void AssertCompletedOrClosed(Exception? failure)
    {
        if (failure is not null)
        {
            Assert.True(failure is TransactionStateException { Code: ErrorCode.DatabaseClosed }, $"Expected DatabaseClosed, got: {failure}");
        }
    }

    /// <summary>Runs <paramref name="operation"/>, arming <paramref name="hold"/> where it reads pages, and checks every document it sees.</summary>
    private static void Run(Operation operation, Database db, UserCollection users, HeldRead hold, SimulatedFileSystem fs)
    {
        switch (operation)
        {
            case Operation.Get:
                hold.Arm();
                AssertUser(1234, users.Get(1234));
                break;

            case Operation.GetAsync:
                hold.Arm();
                AssertUser(1234, users.GetAsync(1234).AsTask().GetAwaiter().GetResult());
                break;

            case Operation.TransactionGet:
            {
                using var read = db.BeginRead();
                var key = users.EncodeKey(1234);
                hold.Arm();
                var value = read.Get(users.Documents, key);
                Assert.NotNull(value);
                AssertUser(1234, users.Decode(key, value));
                break;
            }

            case Operation.CursorScan:
            {
                using var read = db.BeginRead();
                using var cursor = read.OpenCursor(users.Documents);
                var next = 1L;
                for (var ok = cursor.First(); ok; ok = cursor.Next())
                {
                    AssertUser(next++, users.Decode(cursor.Key, cursor.Value));
                    if (next == 100)
                    {
                        hold.Arm();
                    }
                }

                Assert.Equal(Users + 1, next);
                break;
            }

            case Operation.CollectionScan:
            {
                var next = 1L;
                foreach (var user in users.All())
                {
                    AssertUser(next++, user);
                    if (next == 100)
                    {
                        hold.Arm();
                    }
                }

                Assert.Equal(Users + 1, next);
                break;
            }

            case Operation.IndexQuery:
            {
                hold.Arm();
                var found = new List<long>();
                foreach (var user in users.Query().Where(u => u.Age.Is(7)))
                {
                    AssertUser(user.Id, user);
                    found.Add(user.Id);
                }

                Assert.Equal(Enumerable.Range(1, Users).Where(i => i % 60 == 7).Select(i => (long)i), found);
                break;
            }

            case Operation.CollectionWrite:
            {
                using var tx = db.BeginWrite();
                hold.Arm();
                try
                {
                    users.Upsert(Expected(1234), tx);
                    tx.Commit();
                }
                catch (TransactionStateException)
                {
                    // Cut short by the disposal: later uses of the transaction say so too.
                    Assert.Equal(ErrorCode.DatabaseClosed, Assert.Throws<TransactionStateException>(() => users.Get(1, tx)).Code);
                    throw;
                }

                break;
            }

            case Operation.KeyspaceDelete:
            {
                // Frees the tree inside the transaction's private writer, which loads every leaf: a refused read there
                // fails the transaction part-way, and it is the closed database that later uses report.
                using var tx = db.BeginWrite();
                hold.Arm();
                try
                {
                    tx.DeleteKeyspace(users.Documents);
                    tx.Commit();
                }
                catch (TransactionStateException)
                {
                    Assert.Equal(ErrorCode.DatabaseClosed, Assert.Throws<TransactionStateException>(() => tx.Count(users.Documents)).Code);
                    throw;
                }

                break;
            }

            case Operation.Backup:
                hold.Arm();
                try
                {
                    db.Backup("/sim/copy.db");
                }
                catch (TransactionStateException)
                {
                    Assert.DoesNotContain(fs.AllFiles(), f => f.StartsWith("/sim/copy.db", StringComparison.Ordinal)); // cleaned up
                    throw;
                }

                using (var copy = TestDatabases.Open(fs, path: "/sim/copy.db"))
                {
                    Assert.Equal(Users, new UserCollection(copy).Count());
                }

                break;

            default:
                throw new ArgumentOutOfRangeException(nameof(operation));
        }
    }
}
