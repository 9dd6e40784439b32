namespace Persistence.Transactions;

/// <summary>
/// One use of a write transaction's in-use guard (<see cref="Transaction.Use"/>): disposing the outermost use of a call
/// lets other threads in again; a nested use, and every use of a read transaction, holds nothing.
/// </summary>
/// <remarks>
/// A ref struct, so that no use can be held across an <c>await</c> or a <c>yield return</c>: the compiler refuses one
/// there. A use therefore begins and ends on one thread, which is what lets the guard recognise nested uses by thread
/// (see <see cref="Transaction.Use"/>).
/// </remarks>
internal readonly ref struct TransactionUse
{
    private readonly Transaction? _outermost;

    internal TransactionUse(Transaction outermost) => _outermost = outermost;

    public void Dispose() => _outermost?.Leave();
}
