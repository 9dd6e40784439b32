using Persistence.Transactions;

namespace Persistence;

public sealed partial class Database
{
    private readonly WriteTurns _turns = new();

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction and commits it, running it again on a fresh snapshot when
    /// the commit loses a write conflict (see <see cref="RetryPolicy"/>). <paramref name="work"/> may run several
    /// times, so it must not have side effects outside the transaction.
    /// </summary>
    /// <remarks>
    /// From its third attempt a transaction runs alone among <c>Write</c> and <c>WriteAsync</c> calls: theirs already
    /// under way finish first, new ones wait until it is done, so that a key many writers update does not make one of
    /// them lose every attempt. A wait on another call's work lasts at most 100 ms (so nesting or a caller's lock cannot
    /// deadlock); a wait on another call's commit lasts until it ends. Transactions begun with <see cref="BeginWrite"/>
    /// never wait.
    /// </remarks>
    /// <exception cref="PersistenceException">With <see cref="ErrorCode.RetryLimitExceeded"/> when every attempt conflicted.</exception>
    public T Write<T>(Func<WriteTransaction, T> work, RetryPolicy? retry = null, Durability? durability = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        var policy = retry ?? RetryPolicy.Default;
        policy.Validate();
        for (var attempt = 1; ; attempt++)
        {
            // After two conflicts the attempt runs alone among Write calls (Transactions/WriteTurns.cs).
            var entry = _turns.Enter(attempt);
            try
            {
                using var transaction = BeginWrite(durability);
                var result = work(transaction);
                entry = _turns.Committing(entry); // a turn waits for the commit, however long the disk takes
                transaction.Commit();
                return result;
            }
            catch (WriteConflictException conflict) when (attempt >= policy.MaxAttempts)
            {
                throw RetryLimit(policy, conflict);
            }
            catch (WriteConflictException)
            {
                // Lost to an earlier committer: run again on a fresh snapshot after a short, jittered pause.
            }
            finally
            {
                _turns.Leave(entry);
            }

            Thread.Sleep(policy.DelayBefore(attempt + 1));
        }
    }

    /// <inheritdoc cref="Write{T}(Func{WriteTransaction, T}, RetryPolicy?, Durability?)"/>
    public void Write(Action<WriteTransaction> work, RetryPolicy? retry = null, Durability? durability = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        Write<bool>(t =>
        {
            work(t);
            return true;
        }, retry, durability);
    }

    /// <summary>Asynchronous form of <see cref="Write{T}(Func{WriteTransaction, T}, RetryPolicy?, Durability?)"/>; delays use the database's <see cref="TimeProvider"/>.</summary>
    public async Task<T> WriteAsync<T>(Func<WriteTransaction, CancellationToken, ValueTask<T>> work, RetryPolicy? retry = null,
        Durability? durability = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        var policy = retry ?? RetryPolicy.Default;
        policy.Validate();
        for (var attempt = 1; ; attempt++)
        {
            var entry = await _turns.EnterAsync(attempt, cancellationToken).ConfigureAwait(false);
            WriteTransaction? transaction = null;
            try
            {
                transaction = BeginWrite(durability);
                var result = await work(transaction, cancellationToken).ConfigureAwait(false);
                entry = _turns.Committing(entry);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
            catch (WriteConflictException conflict) when (attempt >= policy.MaxAttempts)
            {
                throw RetryLimit(policy, conflict);
            }
            catch (WriteConflictException)
            {
                // As in Write: retry on a fresh snapshot.
            }
            finally
            {
                transaction?.Dispose();
                _turns.Leave(entry);
            }

            await Task.Delay(policy.DelayBefore(attempt + 1), TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Asynchronous form of <see cref="Write(Action{WriteTransaction}, RetryPolicy?, Durability?)"/>, for work that
    /// returns nothing: runs <paramref name="work"/> in a write transaction and commits it, running it again on a fresh
    /// snapshot when the commit loses a write conflict, as
    /// <see cref="WriteAsync{T}(Func{WriteTransaction, CancellationToken, ValueTask{T}}, RetryPolicy?, Durability?, CancellationToken)"/>
    /// does (the same retry policy, turns and delays on the database's <see cref="TimeProvider"/>).
    /// <paramref name="work"/> may run several times, so it must not have side effects outside the transaction.
    /// </summary>
    /// <exception cref="PersistenceException">With <see cref="ErrorCode.RetryLimitExceeded"/> when every attempt conflicted.</exception>
    public async Task WriteAsync(Func<WriteTransaction, CancellationToken, ValueTask> work, RetryPolicy? retry = null,
        Durability? durability = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        await WriteAsync<bool>(async (transaction, token) =>
        {
            await work(transaction, token).ConfigureAwait(false);
            return true;
        }, retry, durability, cancellationToken).ConfigureAwait(false);
    }

    private static PersistenceException RetryLimit(RetryPolicy policy, WriteConflictException conflict) =>
        new(ErrorCode.RetryLimitExceeded,
            $"The transaction still conflicted after {policy.MaxAttempts} attempts: the last time, it and another transaction both wrote {conflict.Subject}.", conflict);
}
