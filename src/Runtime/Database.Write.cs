namespace Persistence;

public sealed partial class Database
{
    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction and commits it, running it again on a fresh snapshot when
    /// the commit loses a write conflict (see <see cref="RetryPolicy"/>). <paramref name="work"/> may run several
    /// times, so it must not have side effects outside the transaction.
    /// </summary>
    /// <exception cref="PersistenceException">With <see cref="ErrorCode.RetryLimitExceeded"/> when every attempt conflicted.</exception>
    public T Write<T>(Func<WriteTransaction, T> work, RetryPolicy? retry = null, Durability? durability = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        var policy = retry ?? RetryPolicy.Default;
        policy.Validate();
        for (var attempt = 1; ; attempt++)
        {
            using var transaction = BeginWrite(durability);
            try
            {
                var result = work(transaction);
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
            var transaction = BeginWrite(durability);
            try
            {
                var result = await work(transaction, cancellationToken).ConfigureAwait(false);
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
                transaction.Dispose();
            }

            await Task.Delay(policy.DelayBefore(attempt + 1), TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private static PersistenceException RetryLimit(RetryPolicy policy, WriteConflictException conflict) =>
        new(ErrorCode.RetryLimitExceeded,
            $"The transaction still conflicted after {policy.MaxAttempts} attempts (keyspace '{conflict.Keyspace}').", conflict);
}
