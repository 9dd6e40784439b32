namespace Persistence.Storage;

/// <summary>The operating system's file system.</summary>
internal sealed class OsFileSystem : IFileSystem
{
    public static OsFileSystem Instance { get; } = new();

    public IStorageFile OpenFile(string path, bool create) => new OsStorageFile(path, create);

    public IStorageFile OpenRead(string path) => new OsStorageFile(path, create: false, readOnly: true);

    public bool FileExists(string path) => File.Exists(path);

    public void DeleteFile(string path) => Guard("delete", path, () => File.Delete(path));

    public void RenameFile(string source, string destination) =>
        Guard("rename", source, () => File.Move(source, destination, overwrite: true));

    public void CreateDirectory(string path) => Guard("create directory", path, () => Directory.CreateDirectory(path));

    public void DeleteDirectory(string path) => Guard("delete directory", path, () =>
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path);
        }
    });

    public IReadOnlyList<string> ListFiles(string directory) =>
        Directory.Exists(directory)
            ? Directory.GetFiles(directory).Select(System.IO.Path.GetFileName).OfType<string>().ToArray()
            : [];

    public void SyncDirectory(string directory) => Guard("sync directory", directory, () => NativeMethods.SyncDirectory(directory));

    public IDisposable LockFile(string path)
    {
        try
        {
            // FileShare.None takes an exclusive flock on Unix, which excludes other processes and other handles in
            // this process alike.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException ex) when (!StorageErrors.IsOutOfSpace(ex))
        {
            throw new StorageException(
                ErrorCode.DatabaseLocked,
                $"The database is in use: another process or Database instance holds the lock file '{path}'. Dispose the other instance first.",
                ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw StorageErrors.Wrap(ex, "lock", path);
        }
    }

    private static void Guard(string operation, string path, Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw StorageErrors.Wrap(ex, operation, path);
        }
    }
}
