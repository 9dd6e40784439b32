namespace Persistence;

/// <summary>
/// The file cannot be opened as a database of this version: it is not a Persistence database, it was written by a
/// newer format version, or it is shorter than its own header says.
/// </summary>
public sealed class DatabaseFormatException : PersistenceException
{
    /// <summary>Creates the exception.</summary>
    public DatabaseFormatException(ErrorCode code, string message)
        : base(code, message)
    {
    }
}
