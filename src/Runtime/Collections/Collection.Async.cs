namespace Persistence.Collections;

public abstract partial class Collection<T, TKey>
{
    // Reads never wait on locks; a page-cache miss is a positional read of one page. They complete synchronously
    // and are offered as ValueTasks so that async code paths read naturally.

    /// <inheritdoc cref="Get"/>
    public ValueTask<T?> GetAsync(TKey key, Transaction? transaction = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Get(key, transaction));
    }

    /// <summary>Asynchronously streams every document in primary-key order (see <see cref="All"/>).</summary>
    public async IAsyncEnumerable<T> AllAsync(Transaction? transaction = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var document in All(transaction))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return document;
            await Task.CompletedTask.ConfigureAwait(false);
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
        return RunAsync(transaction, tx =>
        {
            foreach (var document in documents)
            {
                Write(tx, document ?? throw new ArgumentException("The sequence contains a null document.", nameof(documents)), WriteMode.Insert);
            }

            return true;
        }, cancellationToken);
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
        var encoded = EncodeKey(key);
        return RunAsync(transaction, tx => DeleteEncoded(tx, encoded), cancellationToken);
    }

    internal Task<TResult> RunAsync<TResult>(WriteTransaction? transaction, Func<WriteTransaction, TResult> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return transaction is not null
            ? Task.FromResult(work(transaction))
            : Database.WriteAsync((tx, _) => ValueTask.FromResult(work(tx)), cancellationToken: cancellationToken);
    }
}
