namespace Persistence;

/// <summary>
/// Another transaction committed a write to a key that this transaction also wrote, after this transaction's
/// snapshot was taken. Nothing of this transaction was applied; run it again on a fresh snapshot
/// (the database's retry helper does that for you).
/// </summary>
public sealed class WriteConflictException : PersistenceException
{
    /// <summary>Creates the exception.</summary>
    public WriteConflictException(string message, string keyspace)
        : base(ErrorCode.WriteConflict, message)
    {
        Keyspace = keyspace;
    }

    /// <summary>The keyspace of (one of) the conflicting keys.</summary>
    public string Keyspace { get; }
}
