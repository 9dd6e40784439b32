namespace Persistence;

/// <summary>
/// The database no longer accepts writes because a write or fsync failed (its outcome on disk is unknown, and
/// retrying an fsync can silently lose data) or because corruption was detected. Reads of acknowledged data still
/// work. Dispose the database and open it again to recover from the write-ahead log.
/// </summary>
public sealed class DatabaseReadOnlyException : PersistenceException
{
    /// <summary>Creates the exception; <paramref name="innerException"/> is the failure that made the database read-only.</summary>
    public DatabaseReadOnlyException(string message, Exception? innerException)
        : base(ErrorCode.DatabaseReadOnly, message, innerException)
    {
    }
}
