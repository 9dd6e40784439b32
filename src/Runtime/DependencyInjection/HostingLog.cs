using Microsoft.Extensions.Logging;

namespace Persistence.DependencyInjection;

/// <summary>
/// What the dependency-injection layer logs, on the same <c>Persistence</c> category as the engine (whose events are
/// 1 to 99; these are 100 and up). Event ids are stable. Each message names the database: its service key, or
/// <c>(default)</c> for the database of <c>AddPersistence</c>.
/// </summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Opening database {Database} at {Path} for the application: {Durability} commits, checkpoint every {CheckpointWalBytes} bytes of log or {CheckpointInterval}")]
    public static partial void Opening(ILogger logger, string database, string path, Durability durability, long checkpointWalBytes, TimeSpan checkpointInterval);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Collection {Collection} ({Type}) bound to database {Database} at {Path}")]
    public static partial void CollectionBound(ILogger logger, string collection, string type, string database, string path);

    [LoggerMessage(EventId = 108, Level = LogLevel.Warning, Message = "The settings under {Section} apply to no collection: collection names are case-sensitive, and collection {Collection} of database {Database} at {Path} is named in another case. Name the section {Collection}, as [Collection(...)] does")]
    public static partial void CollectionSettingsInAnotherCase(ILogger logger, string section, string collection, string database, string path);

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "Collection {Type} of database {Database} at {Path}, whose documents may expire, could not be built at host start; its expired documents are not collected until an instance of it is built, when the application resolves it (as a singleton, or in a scope if it is registered as scoped)")]
    public static partial void CollectionNotBoundAtStart(ILogger logger, string type, string database, string path, Exception exception);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "A service of the scope in which collection {Type} of database {Database} at {Path} was resolved at host start threw when the scope was disposed. The collection is not affected by it: event 110 says when it could not be built; otherwise it was, and its expired documents are collected")]
    public static partial void ScopeNotDisposedAtStart(ILogger logger, string type, string database, string path, Exception exception);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Database {Database} at {Path} opened at host start")]
    public static partial void OpenedAtStart(ILogger logger, string database, string path);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "The application stopped; shutting down database {Database} at {Path}: {Writers} write transactions open, {WalBytes} bytes of log since the last checkpoint")]
    public static partial void ShutdownStarted(ILogger logger, string database, string path, int writers, long walBytes);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "{Writers} write transactions of database {Database} at {Path} were still open at the shutdown deadline; they are rolled back")]
    public static partial void DrainTimedOut(ILogger logger, string database, string path, int writers);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Final checkpoint of database {Database} at {Path}: {WalBytes} bytes of log written into the data file in {ElapsedMs} ms")]
    public static partial void FinalCheckpoint(ILogger logger, string database, string path, long walBytes, long elapsedMs);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "Database {Database} at {Path} is read-only: no final checkpoint; the log keeps every acknowledged commit and the next open replays it")]
    public static partial void NoFinalCheckpoint(ILogger logger, string database, string path);

    [LoggerMessage(EventId = 107, Level = LogLevel.Information, Message = "Database {Database} at {Path} shut down in {ElapsedMs} ms")]
    public static partial void ShutdownCompleted(ILogger logger, string database, string path, long elapsedMs);

    [LoggerMessage(EventId = 109, Level = LogLevel.Error, Message = "The shutdown of database {Database} at {Path} failed; it is closed all the same, and the error is reported to the host")]
    public static partial void ShutdownFailed(ILogger logger, string database, string path, Exception exception);
}
