namespace Persistence.Query;

public sealed partial class Query<T, TKey, TFields>
{
    /// <summary>
    /// Deletes every result (and its index entries) in one transaction; returns how many were deleted. It runs in
    /// <paramref name="transaction"/>, else in the query's own write transaction, else (a query without one) in a
    /// transaction of its own, committed before it returns.
    /// </summary>
    /// <remarks>
    /// The count is an <see cref="int"/> where <see cref="Count"/> returns a <see cref="long"/>; it stays one, as changing
    /// a public return type would break compiled callers for no gain: the keys of the results are collected in one list
    /// before the first delete, which caps the number at what a list holds, below <see cref="int.MaxValue"/>.
    /// </remarks>
    /// <exception cref="TransactionStateException">The query reads a <see cref="ReadTransaction"/> and no write transaction
    /// was given (<see cref="ErrorCode.ReadOnlyTransaction"/>): a snapshot cannot delete, and a transaction of its own
    /// would delete what a later snapshot finds instead.</exception>
    public int Delete(WriteTransaction? transaction = null) => _collection.Run(transaction ?? WriteTransactionForDelete(), DeleteAll);

    /// <summary>
    /// Deletes every result asynchronously (see <see cref="Delete"/>). In <paramref name="transaction"/> or the query's
    /// write transaction it runs synchronously, as the collection's async writes do; in a transaction of its own it runs
    /// through <see cref="Database.WriteAsync{T}"/>, which retries it on a write conflict and waits for the commit's
    /// durability asynchronously.
    /// </summary>
    /// <returns>How many documents were deleted. Every failure, the refusal of a read transaction included, and a
    /// cancellation before the start are reported by the task.</returns>
    public Task<int> DeleteAsync(WriteTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        WriteTransaction? target;
        try
        {
            target = transaction ?? WriteTransactionForDelete();
        }
        catch (TransactionStateException ex)
        {
            return Task.FromException<int>(ex);
        }

        return _collection.RunAsync(target, DeleteAll, cancellationToken);
    }

    private int DeleteAll(WriteTransaction transaction)
    {
        var keys = Keys(transaction).ToList();
        var deleted = 0;
        foreach (var key in keys)
        {
            deleted += _collection.DeleteEncoded(transaction, key) ? 1 : 0;
        }

        return deleted;
    }

    private WriteTransaction? WriteTransactionForDelete() => _transaction switch
    {
        ReadTransaction => throw new TransactionStateException(ErrorCode.ReadOnlyTransaction,
            $"The query on '{_collection.Name}' reads a read transaction, which cannot delete: pass a write transaction to Delete, or build the query in one."),
        _ => _transaction as WriteTransaction,
    };

    /// <summary>The encoded keys of the results (which documents, not their order, unless Skip or Take select them).</summary>
    private IEnumerable<byte[]> Keys(Transaction transaction)
    {
        var plan = QueryPlanner.Plan(_collection, transaction, _where, _skip == 0 && _take < 0 ? [] : _order);
        foreach (var document in Pipeline(plan, transaction, isRead: false)) // documents about to be deleted do not slide
        {
            yield return _collection.EncodeKey(_collection.Schema.GetKey(document));
        }
    }
}
