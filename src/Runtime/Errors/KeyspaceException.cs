namespace Persistence;

/// <summary>A keyspace name is invalid, the keyspace does not exist, or it already exists.</summary>
public sealed class KeyspaceException : PersistenceException
{
    /// <summary>Creates the exception.</summary>
    public KeyspaceException(ErrorCode code, string message, string keyspace)
        : base(code, message)
    {
        Keyspace = keyspace;
    }

    /// <summary>The keyspace name the operation was about.</summary>
    public string Keyspace { get; }
}
