using System.Runtime.CompilerServices;
using Persistence.Transactions;

namespace Persistence;

/// <content>
/// The in-use guard of write transactions: a call that begins while another thread is inside one of the transaction's
/// operations is refused with <see cref="ErrorCode.TransactionInUse"/> and fails the transaction.
/// </content>
/// <remarks>
/// <para>A write transaction's private tree, overlay, log and roots are changed in place without locks; two threads in
/// them at once corrupt them, and the commit would publish the damage (a review's repro: keys out of order, counts
/// that disagree with the catalog, documents under other keys). So every operation that reads or changes that state
/// holds the guard: the key-value calls, cursor moves, commit, rollback and disposal, and, around them, each whole
/// collection operation (a document write with its index entries, a delete, a chunk of a bulk insert, a read and its
/// decoding, a keyset's gathering), so that two threads cannot interleave whole operations either.</para>
/// <para>The guard is one word: 0, or the managed thread id of the thread inside. Entering costs one interlocked
/// compare-exchange; leaving is a release store. An entry by the thread already inside is a call nested in the
/// operation under way (a collection's write calls the transaction's puts) and costs a read of the thread id. A
/// transaction is not bound to a thread (an <c>await</c> may continue elsewhere), but a use cannot span an
/// <c>await</c> or a <c>yield return</c> (<see cref="TransactionUse"/> is a ref struct), so while a use lasts, its
/// thread is the one inside: a thread that finds its own id is nested, and one that finds another's overlaps it (or
/// did not order its call after that thread's). Sequential use from several threads, ordered by the <c>await</c>s or
/// waits between the calls, always finds the guard free: the release store that ends a use happens before the next
/// use's read. (Code that an operation calls while it holds the guard, a document's getter or a constructor the decoder
/// runs, must not wait for another thread that uses the transaction: that thread is refused, as it overlaps.)</para>
/// <para>The refused call changes nothing. It fails the transaction, since the caller's work and the other thread's
/// were interleaved and neither is what its author meant to commit: every later call but rollback and disposal throws
/// <see cref="ErrorCode.TransactionFailed"/>, and nothing of it is committed. A call already inside finishes, or throws
/// <see cref="ErrorCode.TransactionFailed"/> at its next step; a commit that had begun completes, holding the writes of
/// the calls that returned before it. Disposal is never refused: it waits for the call inside to end.</para>
/// <para>Read transactions take no guard: their reads change nothing of the transaction (shared, immutable versions,
/// which any number of transactions read at once already), so several threads may read one at once. Only its disposal
/// must come after their reads.</para>
/// </remarks>
public abstract partial class Transaction
{
    /// <summary>The managed thread id of the thread inside an operation of this write transaction; 0 when none is.</summary>
    private int _user;

    /// <summary>Whether operations take the in-use guard: write transactions only.</summary>
    private readonly bool _guarded;

    /// <summary>
    /// Enters the in-use guard for one operation (a no-op for read transactions); dispose the result when the operation
    /// ends. Throws <see cref="TransactionStateException"/> with <see cref="ErrorCode.TransactionInUse"/>, having failed
    /// the transaction, when another thread is inside.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal TransactionUse Use()
    {
        if (!_guarded)
        {
            return default;
        }

        var me = Environment.CurrentManagedThreadId;
        var user = Volatile.Read(ref _user);
        if (user == me)
        {
            return default; // nested in this thread's operation: that one leaves
        }

        if (user != 0 || Interlocked.CompareExchange(ref _user, me, 0) != 0)
        {
            throw InUse();
        }

        return new TransactionUse(this);
    }

    /// <summary>Ends the outermost use (<see cref="TransactionUse.Dispose"/>).</summary>
    internal void Leave() => Volatile.Write(ref _user, 0);

    /// <summary>
    /// As <see cref="Use"/> for disposal, which is never refused: waits until no other thread is inside. The call
    /// inside soon ends, as the disposal has already marked the transaction disposed.
    /// </summary>
    private TransactionUse UseWhenFree()
    {
        if (!_guarded)
        {
            return default;
        }

        var me = Environment.CurrentManagedThreadId;
        var spin = default(SpinWait);
        while (true)
        {
            var user = Volatile.Read(ref _user);
            if (user == me)
            {
                return default;
            }

            if (user == 0 && Interlocked.CompareExchange(ref _user, me, 0) == 0)
            {
                return new TransactionUse(this);
            }

            spin.SpinOnce();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private TransactionStateException InUse()
    {
        const string Misuse = "Another thread is inside an operation of this transaction: a transaction must not be used by two "
            + "threads at once. This call did nothing";
        var error = new TransactionStateException(ErrorCode.TransactionInUse,
            Misuse + "; the transaction has failed and can only be rolled back or disposed.");
        return Fail(error)
            ? error
            : new TransactionStateException(ErrorCode.TransactionInUse, Misuse + " (the transaction was no longer active).");
    }

    /// <summary>
    /// Fails an active transaction with <paramref name="failure"/>: only rollback and disposal remain, and nothing of it
    /// is committed. A write that failed part-way does this (its private tree may hold a half-done change, and what the
    /// writer freed may still be reachable from it, so it must never commit or be adopted), and so does a call refused
    /// by the in-use guard. Atomic: a refused thread fails the transaction while the thread inside may be ending it.
    /// </summary>
    /// <returns>True when this call failed it; false when it was not active (failed, complete or disposed already).</returns>
    private protected bool Fail(Exception failure)
    {
        Interlocked.CompareExchange(ref _failure, failure, null); // the first cause is kept; published before the state
        return Interlocked.CompareExchange(ref _state, Failed, Active) == Active;
    }

    /// <summary>Moves an active transaction to <paramref name="state"/>; false when it was not active (failed or disposed).</summary>
    private protected bool TryEnd(int state) => Interlocked.CompareExchange(ref _state, state, Active) == Active;
}
