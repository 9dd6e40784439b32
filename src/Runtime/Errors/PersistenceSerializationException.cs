namespace Persistence;

/// <summary>
/// Bytes could not be decoded: a document is not valid MessagePack of the expected shape, or a key is not a valid
/// encoding of the expected key type. The message says where in the input decoding failed.
/// </summary>
public sealed class PersistenceSerializationException : PersistenceException
{
    /// <summary>Creates the exception.</summary>
    public PersistenceSerializationException(string message)
        : base(ErrorCode.SerializationError, message)
    {
    }

    /// <summary>Creates the exception with the failure that caused it.</summary>
    public PersistenceSerializationException(string message, Exception? innerException)
        : base(ErrorCode.SerializationError, message, innerException)
    {
    }
}
