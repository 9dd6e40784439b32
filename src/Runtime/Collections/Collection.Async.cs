namespace Persistence.Collections;

public abstract partial class Collection<T, TKey>
{
    // Reads never wait on locks; a page-cache miss is a positional read of one page. They complete synchronously
    // and are offered as ValueTasks so that async code paths read naturally.
    //
    // As everywhere in the async API, only the checks of the arguments themselves throw at the call; every other
    // failure (a closed database, a duplicate key, a conflict) and a cancellation before the start are reported by the
    // returned task, whether or not the call runs in the caller's transaction (and so completes synchronously).

    /// <inheritdoc cref="Get"/>
    public ValueTask<T?> GetAsync(TKey key, Transaction? transaction = null, CancellationToken cancellationToken = default) =>
        ReadAsync((Collection: this, Key: ThrowIfNull(key), Transaction: transaction), static read => read.Collection.Get(read.Key, read.Transaction), cancellationToken);

    /// <inheritdoc cref="Contains"/>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null (thrown at the call, not in the task).</exception>
    public ValueTask<bool> ContainsAsync(TKey key, Transaction? transaction = null, CancellationToken cancellationToken = default) =>
        ReadAsync((Collection: this, Key: ThrowIfNull(key), Transaction: transaction), static read => read.Collection.Contains(read.Key, read.Transaction), cancellationToken);

    /// <inheritdoc cref="Count"/>
    public ValueTask<long> CountAsync(Transaction? transaction = null, CancellationToken cancellationToken = default) =>
        ReadAsync((Collection: this, Transaction: transaction), static read => read.Collection.Count(read.Transaction), cancellationToken);

    /// <summary>Asynchronously streams every document in primary-key order (see <see cref="All"/>).</summary>
    /// <remarks>The token is checked before each read, the first included: a cancelled enumeration throws <see cref="OperationCanceledException"/> also when no document is left.</remarks>
    public async IAsyncEnumerable<T> AllAsync(Transaction? transaction = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested(); // before the first read: no snapshot is opened for a cancelled call
        using var documents = All(transaction).GetEnumerator();
        while (documents.MoveNext())
        {
            yield return documents.Current;
            await Task.CompletedTask.ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested(); // before the next read, the one that finds the end included
        }
    }

    /// <inheritdoc cref="Insert"/>
    /// <remarks>Without a transaction, the commit's durability wait is asynchronous.</remarks>
    public Task InsertAsync(T document, WriteTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        return RunAsync(transaction, tx => Write(tx, document, WriteMode.Insert), cancellationToken);
    }

    /// <inheritdoc cref="InsertMany"/>
    public Task InsertManyAsync(IEnumerable<T> documents, WriteTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (transaction is not null || cancellationToken.IsCancellationRequested)
        {
            return RunAsync(transaction, tx =>
            {
                InsertAll(tx, documents);
                return true;
            }, cancellationToken, guarded: false); // as InsertMany: the sequence is read outside the transaction's guard
        }

        return InsertOnceAsync(documents, cancellationToken);
    }

    /// <summary>
    /// <c>InsertManyAsync</c> in a write of its own (see <see cref="InsertMany"/>): retried after a write conflict for a
    /// collection, one attempt for a lazy sequence. The sequence is taken in here, so that a collection that throws as
    /// it is copied fails the task, as any failure of the call does, rather than the call.
    /// </summary>
    private async Task InsertOnceAsync(IEnumerable<T> documents, CancellationToken cancellationToken)
    {
        if (Replayable(documents) is { } replayable)
        {
            await RunAsync(null, tx =>
            {
                InsertAll(tx, replayable);
                return true;
            }, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var own = Database.BeginWrite();
        InsertAll(own, documents);
        await own.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="Upsert"/>
    public Task<bool> UpsertAsync(T document, WriteTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        return RunAsync(transaction, tx => Write(tx, document, WriteMode.Upsert), cancellationToken);
    }

    /// <inheritdoc cref="Update"/>
    public Task UpdateAsync(T document, WriteTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        return RunAsync(transaction, tx => Write(tx, document, WriteMode.Update), cancellationToken);
    }

    /// <inheritdoc cref="Delete"/>
    public Task<bool> DeleteAsync(TKey key, WriteTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        var encoded = EncodeKey(ThrowIfNull(key));
        return RunAsync(transaction, tx => DeleteEncoded(tx, encoded), cancellationToken);
    }

    /// <summary>
    /// Runs the synchronous read <paramref name="read"/> on the calling thread (no thread-pool hop: reads never wait on
    /// locks) and hands back its result, its failure, or a cancellation before the start, as a completed
    /// <see cref="ValueTask{TResult}"/>. <paramref name="state"/> carries the read's arguments, so that a static lambda
    /// allocates no closure.
    /// </summary>
    private static ValueTask<TResult> ReadAsync<TState, TResult>(TState state, Func<TState, TResult> read, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TResult>(cancellationToken);
        }

        try
        {
            return ValueTask.FromResult(read(state));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<TResult>(ex);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in the caller's transaction (synchronously, as one use of it: its in-use guard held
    /// throughout, as <see cref="Run"/> holds it, unless <paramref name="guarded"/> is false for work that takes the
    /// guard itself step by step), or in <see cref="Database.WriteAsync{T}"/>; either way its failures, and a
    /// cancellation before the start, come back in the task.
    /// </summary>
    internal Task<TResult> RunAsync<TResult>(WriteTransaction? transaction, Func<WriteTransaction, TResult> work, CancellationToken cancellationToken, bool guarded = true)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(cancellationToken);
        }

        if (transaction is null)
        {
            return Database.WriteAsync((tx, _) => ValueTask.FromResult(work(tx)), cancellationToken: cancellationToken);
        }

        try
        {
            if (!guarded)
            {
                return Task.FromResult(work(transaction));
            }

            using var use = transaction.Use();
            return Task.FromResult(work(transaction));
        }
        catch (Exception ex)
        {
            return Task.FromException<TResult>(ex);
        }
    }
}
