namespace Persistence;

/// <summary>
/// Data on disk failed verification: a checksum mismatch, a page that is not where it claims to be, a structure that
/// breaks the format, or a file that is not a database. Persistence never returns such data; once corruption is
/// detected the database refuses further writes.
/// </summary>
public sealed class CorruptionException : PersistenceException
{
    /// <summary>Creates a corruption exception.</summary>
    public CorruptionException(ErrorCode code, string message)
        : base(code, message)
    {
    }

    /// <summary>The file the corruption was found in, when known.</summary>
    public string? FilePath { get; init; }

    /// <summary>The page the corruption was found in, when known.</summary>
    public long? PageNumber { get; init; }
}
