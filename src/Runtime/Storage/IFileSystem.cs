namespace Persistence.Storage;

/// <summary>
/// The file-system operations the engine needs. The operating-system implementation is <see cref="OsFileSystem"/>;
/// tests use a simulated one that models crashes and injects faults.
/// </summary>
/// <remarks>
/// Name-space changes (create, rename, delete) are durable only after <see cref="SyncDirectory"/> on the parent
/// directory returns, as on Linux.
/// </remarks>
internal interface IFileSystem
{
    /// <summary>Opens (and with <paramref name="create"/>, creates) a file for reading and writing.</summary>
    IStorageFile OpenFile(string path, bool create);

    /// <summary>
    /// Opens an existing file for reading only: every write, length change and flush through the returned file fails.
    /// Salvage reads a damaged database this way, so that nothing it does can change the files it reads.
    /// </summary>
    IStorageFile OpenRead(string path);

    /// <summary>True when a file exists at <paramref name="path"/>.</summary>
    bool FileExists(string path);

    /// <summary>Deletes a file if it exists.</summary>
    void DeleteFile(string path);

    /// <summary>Renames a file, replacing any file at <paramref name="destination"/>.</summary>
    void RenameFile(string source, string destination);

    /// <summary>Creates a directory and its parents if they do not exist.</summary>
    void CreateDirectory(string path);

    /// <summary>Deletes an empty directory if it exists.</summary>
    void DeleteDirectory(string path);

    /// <summary>The names (not paths) of the files directly inside <paramref name="directory"/>.</summary>
    IReadOnlyList<string> ListFiles(string directory);

    /// <summary>Makes earlier name-space changes inside <paramref name="directory"/> durable.</summary>
    void SyncDirectory(string directory);

    /// <summary>
    /// Takes an exclusive lock that excludes other processes and other openers in this process.
    /// Throws <see cref="StorageException"/> with <see cref="ErrorCode.DatabaseLocked"/> when it is held.
    /// </summary>
    IDisposable LockFile(string path);
}
