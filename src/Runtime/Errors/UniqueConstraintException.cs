namespace Persistence;

/// <summary>
/// A write would give a unique index a second document with the same value. Nothing of the failed operation was
/// written, and the transaction remains usable.
/// </summary>
public sealed class UniqueConstraintException : PersistenceException
{
    /// <summary>Creates the exception.</summary>
    public UniqueConstraintException(string collection, string index, string message)
        : base(ErrorCode.UniqueConstraintViolation, message)
    {
        Collection = collection;
        Index = index;
    }

    /// <summary>The collection.</summary>
    public string Collection { get; }

    /// <summary>The unique index whose value is already taken.</summary>
    public string Index { get; }
}
