namespace Persistence;

/// <summary>
/// Data on disk failed verification: a checksum mismatch, a page that is not where it claims to be, a structure that
/// breaks the format (a file that is not a database at all is a <see cref="DatabaseFormatException"/>). Persistence never returns such data; once corruption is
/// detected in the data file or the log, the database refuses further writes. In a large transaction's scratch file (its
/// log, moved there while it runs) it fails the commit that reads it back instead, and the database refuses writes only
/// when the log writer was writing that commit out. A collection's index entry that does not describe its document
/// (the document is missing, or does not have the indexed value the entry holds) is reported the same way by every read
/// through it, but leaves the database writable: the collection's <c>RepairIndexes()</c> rebuilds the entries from the
/// documents (its <c>CheckConsistency()</c> lists them).
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
