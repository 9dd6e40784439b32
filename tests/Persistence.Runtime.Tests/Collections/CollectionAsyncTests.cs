namespace Persistence.Tests.Collections;

/// <summary>
/// The async forms report every failure but an argument's in the returned task, as the API does elsewhere
/// (<see cref="Database.WriteAsync{T}"/>, <see cref="WriteTransaction.CommitAsync"/>, the same methods without a
/// transaction). In the caller's transaction they run synchronously, and used to throw at the call instead.
/// </summary>
public sealed class CollectionAsyncTests : IDisposable
{
    private readonly Database _db = Database.OpenInMemory();
    private readonly UserCollection _users;

    public CollectionAsyncTests()
    {
        _users = new UserCollection(_db);
        _users.Insert(User(1));
    }

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Failures_in_the_callers_transaction_come_back_in_the_task()
    {
        using var tx = _db.BeginWrite();

        var insert = Call(() => _users.InsertAsync(User(1), tx));
        Assert.Equal(ErrorCode.DuplicateKey, (await Assert.ThrowsAsync<DocumentException>(() => insert)).Code);
        var insertMany = Call(() => _users.InsertManyAsync([User(2), User(1)], tx));
        Assert.Equal(ErrorCode.DuplicateKey, (await Assert.ThrowsAsync<DocumentException>(() => insertMany)).Code);
        var update = Call(() => _users.UpdateAsync(User(99), tx));
        Assert.Equal(ErrorCode.DocumentNotFound, (await Assert.ThrowsAsync<DocumentException>(() => update)).Code);
        var unique = Call(() => _users.UpsertAsync(new User { Id = 3, Email = User(1).Email }, tx));
        await Assert.ThrowsAsync<UniqueConstraintException>(() => unique);

        tx.Rollback();
        var delete = Call(() => _users.DeleteAsync(1, tx));
        Assert.Equal(ErrorCode.TransactionCompleted, (await Assert.ThrowsAsync<TransactionStateException>(() => delete)).Code);
        using var read = _db.BeginRead();
        read.Dispose();
        var get = Call(() => _users.GetAsync(1, read).AsTask());
        Assert.Equal(ErrorCode.TransactionCompleted, (await Assert.ThrowsAsync<TransactionStateException>(() => get)).Code);
        var contains = Call(() => _users.ContainsAsync(1, read).AsTask());
        Assert.Equal(ErrorCode.TransactionCompleted, (await Assert.ThrowsAsync<TransactionStateException>(() => contains)).Code);
        var count = Call(() => _users.CountAsync(read).AsTask());
        Assert.Equal(ErrorCode.TransactionCompleted, (await Assert.ThrowsAsync<TransactionStateException>(() => count)).Code);
    }

    [Fact]
    public async Task A_cancelled_token_gives_a_cancelled_task_with_or_without_a_transaction()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        using var tx = _db.BeginWrite();

        foreach (var transaction in new[] { tx, null })
        {
            Assert.True(Call(() => _users.InsertAsync(User(5), transaction, cancelled.Token)).IsCanceled);
            Assert.True(Call(() => _users.UpsertAsync(User(5), transaction, cancelled.Token)).IsCanceled);
            Assert.True(Call(() => _users.DeleteAsync(1, transaction, cancelled.Token)).IsCanceled);
            Assert.True(Call(() => _users.GetAsync(1, transaction, cancelled.Token).AsTask()).IsCanceled);
            Assert.True(Call(() => _users.ContainsAsync(1, transaction, cancelled.Token).AsTask()).IsCanceled);
            Assert.True(Call(() => _users.CountAsync(transaction, cancelled.Token).AsTask()).IsCanceled);
        }

        Assert.True(Call(() => _db.BeginReadAsync(cancelled.Token).AsTask()).IsCanceled);
        Assert.Null(_users.Get(5, tx)); // nothing ran
    }

    [Fact]
    public void Invalid_arguments_still_throw_at_the_call()
    {
        using var tx = _db.BeginWrite();
        Assert.Throws<ArgumentNullException>(() => { _ = _users.InsertAsync(null!, tx); });
        Assert.Throws<ArgumentNullException>(() => { _ = _users.InsertManyAsync(null!, tx); });
        Assert.Throws<ArgumentNullException>(() => { _ = _users.UpsertAsync(null!, tx); });
        Assert.Throws<ArgumentNullException>(() => { _ = _users.UpdateAsync(null!, tx); });
        Assert.Throws<ArgumentException>(() => { _ = _db.BackupAsync(""); });
    }

    [Fact]
    public async Task On_a_disposed_database_every_async_form_returns_a_faulted_task()
    {
        var db = Database.OpenInMemory();
        var users = new UserCollection(db);
        db.Dispose();

        var calls = new Func<Task>[]
        {
            () => users.GetAsync(1).AsTask(),
            () => users.ContainsAsync(1).AsTask(),
            () => users.CountAsync().AsTask(),
            () => users.InsertAsync(User(2)),
            () => db.BeginReadAsync().AsTask(),
            () => db.BeginWriteAsync().AsTask(),
            () => db.CollectExpiredAsync(),
            () => db.BackupAsync("/never/copy.db"),
            () => db.CheckpointAsync(),
        };
        foreach (var call in calls)
        {
            var task = Call(call);
            Assert.Equal(ErrorCode.DatabaseClosed, (await Assert.ThrowsAsync<TransactionStateException>(() => task)).Code);
        }
    }

    /// <summary>
    /// ContainsAsync and CountAsync in the caller's write transaction see its uncommitted writes, which nobody else
    /// sees; like GetAsync, they run on the calling thread and hand back a task that has already completed.
    /// </summary>
    [Fact]
    public async Task ContainsAsync_and_CountAsync_see_the_uncommitted_writes_of_the_callers_transaction()
    {
        using var tx = _db.BeginWrite();
        _users.Insert(User(2), tx);
        _users.Insert(User(3), tx);
        _users.Delete(1, tx);

        var contains = _users.ContainsAsync(2, tx);
        var count = _users.CountAsync(tx);
        Assert.True(contains.IsCompletedSuccessfully);
        Assert.True(count.IsCompletedSuccessfully);
        Assert.True(await contains);
        Assert.Equal(2, await count);
        Assert.False(await _users.ContainsAsync(1, tx));

        Assert.True(await _users.ContainsAsync(1)); // outside the transaction: the committed state
        Assert.False(await _users.ContainsAsync(2));
        Assert.Equal(1, await _users.CountAsync());
        tx.Commit();
        Assert.Equal(2, await _users.CountAsync());
    }

    /// <summary>In a read transaction, ContainsAsync and CountAsync read its snapshot, not what was committed since.</summary>
    [Fact]
    public async Task ContainsAsync_and_CountAsync_read_the_snapshot_of_the_transaction_passed()
    {
        using var read = _db.BeginRead();
        _users.InsertMany([User(2), User(3)]);
        _users.Delete(1);

        Assert.True(await _users.ContainsAsync(1, read));
        Assert.False(await _users.ContainsAsync(2, read));
        Assert.Equal(1, await _users.CountAsync(read));
        Assert.False(await _users.ContainsAsync(1));
        Assert.True(await _users.ContainsAsync(2));
        Assert.Equal(2, await _users.CountAsync());
    }

    /// <summary>Calls <paramref name="start"/>, failing the test if it throws instead of returning a task.</summary>
    private static Task Call(Func<Task> start)
    {
        Task? task = null;
        var thrown = Record.Exception(() => { task = start(); });
        Assert.Null(thrown);
        return task!;
    }

    private static Task<T> Call<T>(Func<Task<T>> start)
    {
        Task<T>? task = null;
        var thrown = Record.Exception(() => { task = start(); });
        Assert.Null(thrown);
        return task!;
    }

    private static User User(long id) => new() { Id = id, Email = $"user{id}@example.com", Age = (int)id };
}
