namespace Persistence;

/// <summary>
/// An object was used in a state that does not allow the operation: a completed, failed or disposed transaction, a
/// write transaction another thread is using at that moment (<see cref="ErrorCode.TransactionInUse"/>), a write through
/// a read transaction, a closed cursor, or a disposed database.
/// </summary>
public sealed class TransactionStateException : PersistenceException
{
    /// <summary>Creates the exception.</summary>
    public TransactionStateException(ErrorCode code, string message)
        : base(code, message)
    {
    }

    internal TransactionStateException(ErrorCode code, string message, Exception? innerException)
        : base(code, message, innerException)
    {
    }

    /// <summary>
    /// The error of every operation that begins after <see cref="Database.Dispose"/> started, or that needs the files
    /// after they closed (<see cref="ErrorCode.DatabaseClosed"/>).
    /// </summary>
    /// <param name="innerException">What reported the closed state (a closed file handle's exception), if anything did.</param>
    internal static TransactionStateException DatabaseClosed(Exception? innerException = null) =>
        new(ErrorCode.DatabaseClosed, "The database was disposed.", innerException);
}
