using Microsoft.Extensions.Logging;

namespace Persistence.Diagnostics;

/// <summary>The engine's log messages (source-generated: no boxing, no reflection, AOT-safe). Event ids are stable.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Opened database {Path}: {PageSize}-byte pages, {Pages} pages, checkpoint {Version}")]
    public static partial void Opened(ILogger logger, string path, int pageSize, long pages, long version);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Recovered {Commits} commits ({Bytes} bytes of log) into {Path} in {ElapsedMs} ms")]
    public static partial void Recovered(ILogger logger, string path, int commits, long bytes, long elapsedMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Checkpoint {Sequence} of {Path} at version {Version}: {Pages} pages written in {ElapsedMs} ms")]
    public static partial void Checkpointed(ILogger logger, string path, long sequence, long version, long pages, long elapsedMs);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Checkpoint {Sequence} of {Path} took {ElapsedMs} ms ({Pages} pages)")]
    public static partial void SlowCheckpoint(ILogger logger, string path, long sequence, long pages, long elapsedMs);

    [LoggerMessage(EventId = 5, Level = LogLevel.Critical, Message = "Database {Path} is now read-only: {Reason}. Acknowledged commits are safe in the log; dispose and reopen the database to recover")]
    public static partial void ReadOnly(ILogger logger, string path, string reason, Exception exception);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Corruption detected in {Path}: {Reason}")]
    public static partial void Corruption(ILogger logger, string path, string reason, Exception exception);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Shrank {Path} by {Bytes} bytes")]
    public static partial void Shrank(ILogger logger, string path, long bytes);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Closed database {Path}")]
    public static partial void Closed(ILogger logger, string path);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "The final checkpoint of {Path} failed; the log keeps every acknowledged commit and the next open replays it")]
    public static partial void FinalCheckpointFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Collected {Documents} expired documents from {Collection} in {ElapsedMs} ms")]
    public static partial void ExpiredCollected(ILogger logger, string collection, int documents, long elapsedMs);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "A transaction on {Path} could not move its log to a scratch file, so it keeps the whole log in memory until it ends")]
    public static partial void LogSpillFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "A scratch file of a transaction log beside {Path} could not be listed or deleted; it holds nothing the database needs, and the next open tries again")]
    public static partial void SpillCleanupFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "A pass of the expired-document collector of {Path} failed; expired documents stay invisible, and the next pass tries again")]
    public static partial void CollectorFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "The obsolete log segment {Path} could not be deleted; the database needs nothing in it, and the next checkpoint tries again")]
    public static partial void SegmentDeleteFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "The spare log segment {Path} could not be renamed into place; a new segment was created instead, and the next checkpoint reuses or deletes the spare")]
    public static partial void SpareRenameFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 16, Level = LogLevel.Information, Message = "Built {Indexes} of collection {Collection} in {Path} from its {Documents} documents in {ElapsedMs} ms")]
    public static partial void IndexesBuilt(ILogger logger, string indexes, string collection, string path, long documents, long elapsedMs);

    [LoggerMessage(EventId = 17, Level = LogLevel.Information, Message = "Moved the {Documents} documents of collection {Collection} in {Path} under primary keys encoded as {Encoding}, with {Entries} index entries, in {ElapsedMs} ms")]
    public static partial void KeysMoved(ILogger logger, long documents, string collection, string path, string encoding, long entries, long elapsedMs);

    [LoggerMessage(EventId = 18, Level = LogLevel.Warning, Message = "Deleting the document under the key {Key} of collection {Collection} in {Path}, which cannot be decoded ({Reason}): the {Entries} index and expiry entries naming it were found by reading each of its indexes whole, and go with it when the transaction commits")]
    public static partial void UndecodableDocumentDeleted(ILogger logger, string key, string collection, string path, string reason, int entries);

    [LoggerMessage(EventId = 19, Level = LogLevel.Warning, Message = "The close of {Path} waited {Seconds} s for a pass of the expired-document collector that reached no point where it stops, and goes on without it: the pass waits on code outside the engine (a document's code blocked on something the disposing thread holds, say), and fails with DatabaseClosed once it resumes")]
    public static partial void CloseLeftCollectorPass(ILogger logger, string path, long seconds);
}
