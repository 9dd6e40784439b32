using Persistence.Storage;

namespace Persistence;

public sealed partial class Database
{
    /// <summary>
    /// What a new database (a backup's or a salvage's) is written under until it is complete: <c>target-incomplete</c>,
    /// with its own log and lock file beside it. Only the finished, synced data file is renamed to the target, so a crash
    /// never leaves a database there that holds part of the copy.
    /// </summary>
    internal const string IncompleteSuffix = "-incomplete";

    /// <summary>
    /// Refuses, before anything is written, a destination of a new database (a backup's or a salvage's) that names a
    /// folder, as <see cref="Open(string, DatabaseOptions?)"/> does (checked on the argument, since the full path of
    /// <c>dir/..</c> names no folder any more), or that is, or lies inside, the source's log folder: a file named as a
    /// segment there would be read as the source's log, and the log's recycling deletes segment files; or whose
    /// temporary name (<see cref="IncompleteSuffix"/>) is the source's file, which the copy would be written into.
    /// </summary>
    /// <param name="path">The destination as the caller gave it.</param>
    /// <param name="parameter">The parameter's name, for <see cref="InvalidOptionsException.Option"/>.</param>
    /// <param name="source">The full path of the database copied from (null for an in-memory one).</param>
    private static void ThrowIfNotADatabasePath(string path, string parameter, string? source)
    {
        if (NamesFolder(path))
        {
            throw new InvalidOptionsException(
                parameter,
                $"The path '{path}' names a folder: the copy is one database file (beside it, its log folder and lock file), so end the path with a file name, such as '{System.IO.Path.Join(path, "backup.db")}'.");
        }

        if (source is null)
        {
            return;
        }

        var log = source + "-wal";
        var target = System.IO.Path.GetFullPath(path);
        if (string.Equals(target + IncompleteSuffix, source, FileNames.Comparison))
        {
            throw new InvalidOptionsException(
                parameter,
                $"The path '{path}' cannot take the copy: it is written as '{target}{IncompleteSuffix}' until it is complete, and that is the database copied from. Choose another path.");
        }

        if (string.Equals(target, log, FileNames.Comparison)
            || target.StartsWith(log + System.IO.Path.DirectorySeparatorChar, FileNames.Comparison)
            || target.StartsWith(log + System.IO.Path.AltDirectorySeparatorChar, FileNames.Comparison))
        {
            throw new InvalidOptionsException(
                parameter,
                $"The path '{path}' is inside the log folder '{log}' of the database copied from: the log owns every file there. Choose a path outside it.");
        }
    }

    /// <summary>
    /// Refuses <paramref name="target"/> as the place of a new database (a backup's or a salvage's) when its data file,
    /// its lock file or a non-empty log directory exists there, or the files of a copy to it that has not finished
    /// (one under way, or one a crash interrupted): those only ever create.
    /// </summary>
    /// <param name="action">What is refused, for the message ("back up to", "salvage into").</param>
    private static void ThrowIfTargetExists(IFileSystem fs, string target, string action)
    {
        var incomplete = target + IncompleteSuffix;
        foreach (var existing in new[] { target, target + "-lock" })
        {
            if (fs.FileExists(existing))
            {
                throw new StorageException(ErrorCode.DatabaseExists, $"Cannot {action} '{target}': '{existing}' already exists. Only a new database is written; delete the old one first or choose another path.");
            }
        }

        if (fs.ListFiles(target + "-wal").Count > 0)
        {
            throw new StorageException(ErrorCode.DatabaseExists, $"Cannot {action} '{target}': its log directory '{target}-wal' is not empty.");
        }

        var left = new List<string>();
        foreach (var file in new[] { incomplete, incomplete + "-lock" })
        {
            if (fs.FileExists(file))
            {
                left.Add($"'{file}'");
            }
        }

        if (fs.ListFiles(incomplete + "-wal").Count > 0)
        {
            left.Add($"the folder '{incomplete}-wal'");
        }

        if (left.Count > 0)
        {
            // Named one by one: a crash after the rename leaves the log and lock file without the data file.
            throw new StorageException(
                ErrorCode.DatabaseExists,
                $"Cannot {action} '{target}': a copy to it is written as '{incomplete}' until it is complete, and {string.Join(" and ", left)} {(left.Count == 1 ? "is" : "are")} left by one that is under way or was interrupted. When no copy to '{target}' is running, delete {(left.Count == 1 ? "it" : "them")} and try again; if '{incomplete}' is a database of its own, choose another path.");
        }
    }

    /// <summary>
    /// Creates a database at <paramref name="target"/> (checked with <see cref="ThrowIfTargetExists"/>): lets
    /// <paramref name="fill"/> write it under <see cref="IncompleteSuffix"/>, checkpoints it (every page and the meta page
    /// synced) and closes it, and only then renames the data file to the target and syncs the directory. The checkpoint
    /// leaves nothing in the log after it, so the data file alone is the database; its log is deleted. The target's lock
    /// file is held throughout, as it is by a database open there: the rename replaces any file at the target, so no
    /// instance may create a database there meanwhile (<see cref="Open(string, DatabaseOptions?)"/> takes that lock
    /// first); it stays, like every database's lock file, once the copy is in place. On any failure
    /// before the rename, the files written are deleted; a failed write to the new database is reported as a
    /// <see cref="StorageException"/> carrying the storage error's code, and other failures (the source's, a
    /// cancellation) pass through as they are.
    /// </summary>
    /// <param name="action">For messages: "back up to", "salvage into".</param>
    /// <param name="what">For messages: "the backup", "the salvaged database".</param>
    private static void WriteNewDatabase(IFileSystem fs, string target, DatabaseOptions options, string action, string what, Action<Database> fill)
    {
        var lockPath = target + "-lock";
        IDisposable targetLock;
        try
        {
            targetLock = fs.LockFile(lockPath);
        }
        catch (StorageException locked) when (locked.Code == ErrorCode.DatabaseLocked)
        {
            throw InUse(target, action, locked);
        }

        var created = false;
        try
        {
            if (fs.FileExists(target))
            {
                // An instance created it between the checks and the lock: the lock file is that database's.
                throw new StorageException(ErrorCode.DatabaseExists, $"Cannot {action} '{target}': a database was created there meanwhile.");
            }

            created = true;
            WriteAndRename(fs, target, options, action, what, fill);
            created = false; // the copy is in place: its lock file stays, as every database's does
        }
        finally
        {
            if (created)
            {
                ReleaseAndDelete(fs, targetLock, lockPath);
            }
            else
            {
                targetLock.Dispose();
            }
        }
    }

    private static StorageException InUse(string target, string action, StorageException locked) =>
        new(ErrorCode.DatabaseExists, $"Cannot {action} '{target}': it is in use by another instance or backup.", locked);

    /// <summary>
    /// Deletes the lock file of a target the copy failed to write. On Unix it goes while still held, so that no one who
    /// locks it after the release loses it to the delete; where an open file cannot be deleted (Windows), it goes after
    /// the release, and the delete fails if someone opened it since. What is left makes the next copy refuse.
    /// </summary>
    private static void ReleaseAndDelete(IFileSystem fs, IDisposable fileLock, string path)
    {
        try
        {
            fs.DeleteFile(path);
            fileLock.Dispose();
            return;
        }
        catch (PersistenceException)
        {
            fileLock.Dispose();
        }

        try
        {
            fs.DeleteFile(path);
        }
        catch (PersistenceException)
        {
            // Left behind; ThrowIfTargetExists names it to the next copy to this target.
        }
    }

    /// <summary>The part of <see cref="WriteNewDatabase"/> under the target's lock.</summary>
    private static void WriteAndRename(IFileSystem fs, string target, DatabaseOptions options, string action, string what, Action<Database> fill)
    {
        var incomplete = target + IncompleteSuffix;
        Database? copy = null;
        var renamed = false;
        try
        {
            try
            {
                copy = Open(incomplete, options, fs);
            }
            catch (StorageException locked) when (locked.Code == ErrorCode.DatabaseLocked)
            {
                // An instance opened the copy's own files: they are not ours to delete.
                throw InUse(target, action, locked);
            }

            fill(copy);
            copy.Checkpoint(); // writes every page to the data file and syncs it with its meta page
            copy.Dispose();
            copy = null;
            fs.RenameFile(incomplete, target);
            renamed = true;
            fs.SyncDirectory(System.IO.Path.GetDirectoryName(target)!);
        }
        catch (Exception ex) when (!(ex is StorageException { Code: ErrorCode.DatabaseExists } && copy is null))
        {
            // A write to the copy that failed left the copy read-only, which is the copy's business: the caller learns
            // what failed. Errors of the source (a page that fails its checksum) pass through as they are.
            var writeFailure = copy?.ReadOnlyCause;
            try
            {
                copy?.Dispose();
            }
            catch (Exception) when (writeFailure is not null)
            {
                // Closing a copy that a failed write left read-only may fail too; the first failure is the one to report.
            }

            var cleanup = "the files written were deleted";
            try
            {
                if (renamed)
                {
                    fs.DeleteFile(target); // its name may not be durable: the copy failed
                }

                DeleteFiles(fs, incomplete);
            }
            catch (PersistenceException deleteFailure)
            {
                cleanup = $"deleting the files written failed too ({deleteFailure.Message})";
                writeFailure ??= ex;
            }

            if (writeFailure is not null)
            {
                var code = ErrorCode.IOError;
                for (var inner = writeFailure; inner is not null; inner = inner.InnerException)
                {
                    if (inner is StorageException storage)
                    {
                        code = storage.Code;
                        break;
                    }
                }

                throw new StorageException(
                    code,
                    $"Writing {what} to '{target}' failed, and {cleanup}; the source is unchanged. Cause: {writeFailure.Message}",
                    ex);
            }

            throw;
        }

        try
        {
            DeleteFiles(fs, incomplete); // its log (empty after the checkpoint) and lock file; the data file is the target now
        }
        catch (PersistenceException)
        {
            // The copy is complete at the target. What is left names itself to the next copy to this target, which
            // refuses until it is deleted (ThrowIfTargetExists).
        }
    }

    /// <summary>Deletes what a database at <paramref name="path"/> consists of: its file, lock file, spill files and log.</summary>
    private static void DeleteFiles(IFileSystem fs, string path)
    {
        var wal = path + "-wal";
        foreach (var name in fs.ListFiles(wal))
        {
            fs.DeleteFile(System.IO.Path.Combine(wal, name));
        }

        fs.DeleteDirectory(wal);
        Persistence.Wal.LogSpill.DeleteLeftovers(fs, path, static failure => System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure));

        fs.DeleteFile(path);
        fs.DeleteFile(path + "-creating"); // a creation that failed inside Open
        fs.DeleteFile(path + "-lock");
        fs.SyncDirectory(System.IO.Path.GetDirectoryName(path)!);
    }
}
