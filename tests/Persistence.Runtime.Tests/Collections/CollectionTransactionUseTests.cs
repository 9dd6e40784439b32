using Persistence.Collections;
using Persistence.Query;
using Persistence.Testing;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Collections;

/// <summary>
/// Collection operations in a transaction that two threads use at once. A review's repro inserted from four threads
/// through one transaction: half its rounds threw IndexOutOfRange, NullReference, false corruption or false duplicate
/// keys, and the others committed trees with keys out of order, counts that disagreed with the catalog and documents
/// under other keys. A collection operation makes several calls of the transaction (the document, each index entry,
/// the expiry entry), so it holds the transaction's in-use guard throughout, and another thread is refused between
/// those calls too, not only during one.
/// </summary>
public sealed class CollectionTransactionUseTests
{
    private const string DataFile = "/sim/users.db";

    /// <summary>
    /// An update holds the transaction from its first read to its last entry: stopped while it decodes the stored
    /// document (no call of the transaction under way), another thread's insert, read, delete, count and commit are
    /// refused, the update then fails at its next step, and nothing of the transaction is committed.
    /// </summary>
    [Fact]
    public async Task Another_threads_call_between_the_steps_of_a_collection_write_is_refused()
    {
        var fs = new SimulatedFileSystem();
        using var hold = new DecodeHold();
        var db = TestDatabases.Open(fs, path: DataFile);
        try
        {
            var users = hold.Users(db);
            users.Insert(User(1));
            users.Insert(User(2));

            var tx = db.BeginWrite();
            var update = hold.Run(() => users.Update(new User { Id = 1, Email = "changed@example.com", Age = 99 }, tx));
            Assert.True(hold.WaitInside() || update.IsCompleted, "the update decoded nothing");

            AssertInUse(() => users.Insert(User(3), tx));
            AssertInUse(() => users.Get(2, tx));
            AssertInUse(() => users.Delete(2, tx));
            AssertInUse(() => users.Count(tx));
            AssertInUse(() => users.InsertMany([User(4), User(5)], tx));
            AssertInUse(tx.Commit);

            hold.Release();
            var failed = await Assert.ThrowsAsync<TransactionStateException>(() => update);
            Assert.Equal(ErrorCode.TransactionFailed, failed.Code);
            Assert.Equal(ErrorCode.TransactionFailed, Assert.Throws<TransactionStateException>(tx.Commit).Code);
            tx.Dispose();

            AssertUsers(db, [1, 2]);
            db = CloseCheckAndReopen(db, fs);
            AssertUsers(db, [1, 2]);
        }
        finally
        {
            hold.Release();
            db.Dispose();
        }
    }

    /// <summary>
    /// A query's <c>DeleteAsync</c> in the caller's transaction holds it from gathering its keys to its last delete, as
    /// <c>Delete</c> does: stopped while it decodes a result, another thread's insert is refused and nothing commits.
    /// (It ran its steps unguarded between them: the insert went ahead and the transaction committed; found by review.)
    /// </summary>
    [Fact]
    public async Task Another_threads_call_during_a_query_DeleteAsync_in_the_transaction_is_refused()
    {
        var fs = new SimulatedFileSystem();
        using var hold = new DecodeHold();
        var db = TestDatabases.Open(fs, path: DataFile);
        try
        {
            var users = hold.Users(db);
            users.Insert(User(1));
            users.Insert(User(2));

            var tx = db.BeginWrite();
            var delete = hold.Run(() => new Query<User, long, UserFields>(users, UserCollection.Fields, tx).Where(u => u.Id.Is(1)).DeleteAsync(tx).GetAwaiter().GetResult());
            Assert.True(hold.WaitInside() || delete.IsCompleted, "the delete decoded nothing");

            AssertInUse(() => users.Insert(User(3), tx));

            hold.Release();
            var failed = await Assert.ThrowsAsync<TransactionStateException>(() => delete);
            Assert.Equal(ErrorCode.TransactionFailed, failed.Code);
            Assert.Equal(ErrorCode.TransactionFailed, Assert.Throws<TransactionStateException>(tx.Commit).Code);
            tx.Dispose();

            AssertUsers(db, [1, 2]);
        }
        finally
        {
            hold.Release();
            db.Dispose();
        }
    }

    /// <summary>
    /// The review's repro, lighter: four threads insert through one transaction. Whether their calls overlap is up to
    /// the scheduler; either they do, a thread is refused with <see cref="ErrorCode.TransactionInUse"/> (the others
    /// stop at <see cref="ErrorCode.TransactionFailed"/>) and the commit refuses to commit anything, or they never did
    /// and every document is committed. No other exception, and never a damaged tree.
    /// </summary>
    [Fact]
    public async Task Threads_inserting_through_one_transaction_never_commit_damaged_trees()
    {
        const int Threads = 4;
        const int PerThread = 200;
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs, path: DataFile);
        try
        {
            var users = new UserCollection(db);
            var committed = new List<long>();
            for (var round = 0; round < 4; round++)
            {
                var refused = false;
                using (var tx = db.BeginWrite())
                {
                    using var start = new Barrier(Threads);
                    var threads = Enumerable.Range(0, Threads).Select(t => Dedicated(() =>
                    {
                        start.SignalAndWait();
                        for (var i = 0; i < PerThread; i++)
                        {
                            try
                            {
                                users.Insert(User((round * 10_000) + (t * 1000) + i), tx);
                            }
                            catch (TransactionStateException e) when (e.Code is ErrorCode.TransactionInUse or ErrorCode.TransactionFailed)
                            {
                                Volatile.Write(ref refused, true);
                                return;
                            }
                        }
                    })).ToArray();
                    await Task.WhenAll(threads); // any other exception fails the test here

                    if (refused)
                    {
                        Assert.Equal(ErrorCode.TransactionFailed, Assert.Throws<TransactionStateException>(tx.Commit).Code);
                    }
                    else
                    {
                        tx.Commit();
                        committed.AddRange(Enumerable.Range(0, Threads).SelectMany(t => Enumerable.Range(0, PerThread)
                            .Select(i => (long)((round * 10_000) + (t * 1000) + i))));
                    }
                }
            }

            AssertUsers(db, committed);
            db = CloseCheckAndReopen(db, fs);
            AssertUsers(db, committed);
        }
        finally
        {
            db.Dispose();
        }
    }

    /// <summary>
    /// Sequential use across threads stays legal: collection calls in one transaction from thread after thread, async
    /// forms, a keyset enumeration whose loop awaits between documents (so that it moves on other threads), the
    /// commit's wait, and <see cref="Database.WriteAsync{T}"/> work that continues elsewhere.
    /// </summary>
    [Fact]
    public async Task Collection_calls_in_one_transaction_may_continue_on_other_threads()
    {
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs, path: DataFile);
        try
        {
            var users = new UserCollection(db);
            using (var tx = db.BeginWrite())
            {
                for (var i = 1; i <= 20; i++)
                {
                    var n = i;
                    await Dedicated(() => users.Insert(User(n), tx));
                    await Dedicated(() => users.UpsertAsync(User(100 + n), tx)).Unwrap();
                    Assert.NotNull(await Dedicated(() => users.Get(n, tx)));
                }

                await Dedicated(() => users.InsertManyAsync([.. Enumerable.Range(1000, 300).Select(i => User(i))], tx)).Unwrap();
                Assert.Equal(340, await Dedicated(() => users.Count(tx)));
                var seen = 0;
                foreach (var user in users.All(tx))
                {
                    await Dedicated(() => users.Update(new User { Id = user.Id, Email = user.Email, Age = 7 }, tx));
                    seen++;
                }

                Assert.Equal(340, seen);
                await Dedicated(() => tx.CommitAsync().AsTask()).Unwrap();
            }

            await db.WriteAsync(async (tx, ct) =>
            {
                await Dedicated(() => users.Insert(User(5000), tx));
                await Task.Yield();
                await users.InsertManyAsync([User(5001), User(5002)], tx, ct);
                return await Dedicated(() => users.Delete(5002, tx));
            });

            long[] expected = [.. Enumerable.Range(1, 20), .. Enumerable.Range(101, 20), .. Enumerable.Range(1000, 300), 5000, 5001];
            AssertUsers(db, expected);
            Assert.Equal(340, new UserCollection(db).ByAge.Count(7));
            db = CloseCheckAndReopen(db, fs);
            AssertUsers(db, expected);
        }
        finally
        {
            db.Dispose();
        }
    }

    private static User User(long id) => new() { Id = id, Email = $"user{id}@example.com", Age = (int)(id % 5), Name = $"user {id}" };

    private static void AssertInUse(Action call) =>
        Assert.Equal(ErrorCode.TransactionInUse, Assert.Throws<TransactionStateException>(call).Code);

    private static void AssertInUse(Func<object?> call) =>
        Assert.Equal(ErrorCode.TransactionInUse, Assert.Throws<TransactionStateException>(call).Code);

    /// <summary>The collection holds exactly the users <paramref name="ids"/>, its indexes agree, and the file is consistent.</summary>
    private static void AssertUsers(Database db, IEnumerable<long> ids)
    {
        var users = new UserCollection(db);
        long[] expected = [.. ids.Order()];
        Assert.Equal(expected, users.All().Select(u => u.Id));
        foreach (var id in expected)
        {
            Assert.Equal(id, users.ByEmail.Get($"user{id}@example.com")?.Id);
        }

        Assert.Empty(users.CheckConsistency());
        AssertConsistent(db);
    }

    /// <summary>
    /// Stops the thread that runs <see cref="Run"/>'s work at the first document its <see cref="Users"/> decode, until
    /// <see cref="Release"/>: a collection operation held between its calls of the transaction.
    /// </summary>
    private sealed class DecodeHold : IDisposable
    {
        private readonly ManualResetEventSlim _inside = new();
        private readonly ManualResetEventSlim _release = new();
        private int _holder;

        public HookedUsers Users(Database db) => new(db, () =>
        {
            if (Environment.CurrentManagedThreadId == Volatile.Read(ref _holder))
            {
                _inside.Set();
                _release.Wait();
            }
        });

        public Task Run(Action work) => Dedicated(() =>
        {
            Volatile.Write(ref _holder, Environment.CurrentManagedThreadId);
            work();
        });

        public bool WaitInside() => _inside.Wait(TimeSpan.FromSeconds(60));

        public void Release() => _release.Set();

        public void Dispose()
        {
            _inside.Dispose();
            _release.Dispose();
        }
    }

    /// <summary>"users" whose schema calls <paramref name="onDecode"/> on every document it decodes.</summary>
    private sealed class HookedUsers(Database database, Action onDecode)
        : Collection<User, long>(database, new HookedUserSchema(expires: true, UserSchema.Instance.Indexes, onDecode));
}
