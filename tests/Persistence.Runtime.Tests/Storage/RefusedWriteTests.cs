using Persistence.Storage;
using Persistence.Testing;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Storage;

/// <summary>
/// A database over real files whose writes the operating system starts refusing for want of permission: the failure
/// reaches the caller as a <see cref="StorageException"/> with a code and leaves the database read-only, as an I/O error
/// does. The refusal is real (a write through a handle opened for reading), since permission bits on a file or directory
/// bind nobody when the tests run as root.
/// </summary>
public sealed class RefusedWriteTests
{
    [Fact]
    public void A_checkpoint_whose_data_file_write_is_refused_throws_a_storage_exception_and_turns_read_only()
    {
        using var directory = new TempDirectory();
        var fs = new RefusingFileSystem();
        var path = directory.File();
        using var db = Database.Open(path, Quiet(), fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx => tx.Put(ks, Bytes("key"), Bytes("value")));

        fs.Refused = path;
        var error = Assert.Throws<StorageException>(() => db.Checkpoint());

        Assert.Equal(ErrorCode.IOError, error.Code);
        Assert.IsType<UnauthorizedAccessException>(error.InnerException);
        Assert.True(db.IsReadOnly);
        Assert.IsType<StorageException>(db.ReadOnlyCause);
        Assert.Throws<DatabaseReadOnlyException>(() => db.Write(tx => tx.Put(ks, Bytes("later"), Bytes("1"))));
    }

    [Fact]
    public void A_commit_whose_log_write_is_refused_fails_typed_and_turns_read_only()
    {
        using var directory = new TempDirectory();
        var fs = new RefusingFileSystem();
        var path = directory.File();
        using var db = Database.Open(path, Quiet(), fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));

        fs.Refused = path + "-wal";
        var error = Assert.ThrowsAny<PersistenceException>(() => db.Write(tx => tx.Put(ks, Bytes("key"), Bytes("value"))));

        Assert.True(db.IsReadOnly);
        var storage = Assert.Single(Chain(db.ReadOnlyCause).OfType<StorageException>());
        Assert.Equal(ErrorCode.IOError, storage.Code);
        Assert.IsType<UnauthorizedAccessException>(storage.InnerException);
        Assert.NotEqual(ErrorCode.None, error.Code);
        using var read = db.BeginRead();
        Assert.False(read.ContainsKey(ks, Bytes("key")));
    }

    private static IEnumerable<Exception> Chain(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            yield return exception;
        }
    }

    /// <summary>
    /// The operating system's file system, whose files under <see cref="Refused"/> (a path prefix) write, resize and sync
    /// through a second handle opened for reading only once it is set.
    /// </summary>
    private sealed class RefusingFileSystem : IFileSystem
    {
        public volatile string? Refused;

        public IStorageFile OpenFile(string path, bool create) => new Switching(this, OsFileSystem.Instance.OpenFile(path, create));

        public IStorageFile OpenRead(string path) => OsFileSystem.Instance.OpenRead(path);

        public bool FileExists(string path) => OsFileSystem.Instance.FileExists(path);

        public void DeleteFile(string path) => OsFileSystem.Instance.DeleteFile(path);

        public void RenameFile(string source, string destination) => OsFileSystem.Instance.RenameFile(source, destination);

        public void CreateDirectory(string path) => OsFileSystem.Instance.CreateDirectory(path);

        public void DeleteDirectory(string path) => OsFileSystem.Instance.DeleteDirectory(path);

        public IReadOnlyList<string> ListFiles(string directory) => OsFileSystem.Instance.ListFiles(directory);

        public void SyncDirectory(string directory) => OsFileSystem.Instance.SyncDirectory(directory);

        public IDisposable LockFile(string path) => OsFileSystem.Instance.LockFile(path);

        private sealed class Switching(RefusingFileSystem fs, IStorageFile writable) : IStorageFile
        {
            private IStorageFile? _readOnly;

            public string Path => writable.Path;

            public long Length => writable.Length;

            private IStorageFile Target => fs.Refused is { } refused && Path.StartsWith(refused, StringComparison.Ordinal)
                ? _readOnly ??= OsFileSystem.Instance.OpenRead(Path)
                : writable;

            public int Read(long offset, Span<byte> buffer) => writable.Read(offset, buffer);

            public void Write(long offset, ReadOnlySpan<byte> data) => Target.Write(offset, data);

            public void Write(long offset, IReadOnlyList<ReadOnlyMemory<byte>> buffers) => Target.Write(offset, buffers);

            public void SetLength(long length) => Target.SetLength(length);

            public void Flush() => Target.Flush();

            public void Dispose()
            {
                _readOnly?.Dispose();
                writable.Dispose();
            }
        }
    }
}
