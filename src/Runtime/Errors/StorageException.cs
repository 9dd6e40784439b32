namespace Persistence;

/// <summary>
/// The operating system refused an operation: an I/O error, a full disk, or a database file locked by another owner.
/// </summary>
public sealed class StorageException : PersistenceException
{
    /// <summary>Creates a storage exception.</summary>
    public StorageException(ErrorCode code, string message, Exception? innerException = null)
        : base(code, message, innerException)
    {
    }
}
