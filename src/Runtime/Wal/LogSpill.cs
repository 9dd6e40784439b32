using Persistence.Storage;

namespace Persistence.Wal;

/// <summary>
/// A scratch file that holds the finished chunks of one large transaction's log, so that a bulk load does not keep its
/// whole redo log in memory until it commits. Nothing in it is durable or needed after a crash: the chunks reach the
/// write-ahead log at commit (read back and checked against their checksums), and a file left by a crash is deleted
/// at the next open.
/// </summary>
/// <remarks>
/// Written only by the transaction's thread, read by whoever commits or checks conflicts against the log (positional
/// reads, safe alongside each other). Deleted when the log is dropped: after its transaction rolls back, once no
/// writer can need the committed version's log, or as soon as its commit fails or is refused in the log writer (the
/// database is read-only by then, so no conflict check reads it; see <see cref="Transactions.CommitSequencer.DropFailedLog"/>). Its failures are <see cref="StorageException"/>s (the file system's own
/// exceptions wrapped, the original inside) and, for a short read, <see cref="CorruptionException"/>. A commit that reads
/// the file back (through <see cref="LogChunk"/>, which also checks each chunk's checksum) before the log writer does
/// fails alone. When the log writer's read fails, the commit fails with that same exception and nothing of it reaches
/// the log as a commit, but the commits sequenced after it were built on its version: they are not written either,
/// and the database turns read-only. Not as for a failed write of the log, though: the log is sound, so what came
/// before the commit is written and synced at once, and buffered commits acknowledged before it survive a power failure.
/// </remarks>
internal sealed class LogSpill : IDisposable
{
    /// <summary>What a spill file's name adds to the database file's name (followed by a number).</summary>
    public const string Infix = "-spill-";

    private readonly IFileSystem _fileSystem;
    private readonly IStorageFile _file;
    private readonly Action<Exception>? _onDeleteFailure;
    private long _length;
    private int _disposed;

    private LogSpill(IFileSystem fileSystem, IStorageFile file, string path, Action<Exception>? onDeleteFailure)
    {
        _fileSystem = fileSystem;
        _file = file;
        _onDeleteFailure = onDeleteFailure;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Bytes written so far.</summary>
    public long Length => _length;

    /// <param name="onDeleteFailure">Told when the file cannot be closed or deleted (<see cref="Dispose"/>), which fails nothing.</param>
    public static LogSpill Create(IFileSystem fileSystem, string path, Action<Exception>? onDeleteFailure = null)
    {
        fileSystem.DeleteFile(path); // a leftover of an earlier run of this process under the same number
        var file = fileSystem.OpenFile(path, create: true);
        return new LogSpill(fileSystem, file, path, onDeleteFailure);
    }

    /// <summary>
    /// Deletes the spill files a crash (or a failed close) left beside <paramref name="databasePath"/>: exactly the
    /// names <c>&lt;database file&gt;-spill-&lt;digits&gt;</c>, nothing else. Best effort: a file that cannot be deleted
    /// is reported to <paramref name="onFailure"/> (it holds nothing the database needs) and the next open tries again.
    /// </summary>
    public static void DeleteLeftovers(IFileSystem fileSystem, string databasePath, Action<Exception> onFailure)
    {
        var directory = System.IO.Path.GetDirectoryName(databasePath)!;
        var prefix = System.IO.Path.GetFileName(databasePath) + Infix;
        IReadOnlyList<string> names;
        try
        {
            names = fileSystem.ListFiles(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PersistenceException)
        {
            onFailure(ex);
            return;
        }

        foreach (var name in names)
        {
            if (IsSpillName(name, prefix))
            {
                try
                {
                    fileSystem.DeleteFile(System.IO.Path.Combine(directory, name));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PersistenceException)
                {
                    onFailure(ex);
                }
            }
        }
    }

    /// <summary>True for <paramref name="prefix"/> followed by one or more ASCII digits and nothing else.</summary>
    internal static bool IsSpillName(string name, string prefix) =>
        name.Length > prefix.Length
        && name.StartsWith(prefix, StringComparison.Ordinal)
        && name.AsSpan(prefix.Length).IndexOfAnyExceptInRange('0', '9') < 0;

    /// <summary>Appends the buffers back to back; returns the offset of the first.</summary>
    /// <exception cref="StorageException">The write failed; what was appended before stays readable.</exception>
    public long Append(IReadOnlyList<ReadOnlyMemory<byte>> buffers)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var offset = _length;
        try
        {
            _file.Write(offset, buffers);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw StorageErrors.Wrap(ex, "write", Path);
        }

        foreach (var buffer in buffers)
        {
            _length += buffer.Length;
        }

        return offset;
    }

    /// <summary>Reads exactly <paramref name="destination"/>.Length bytes at <paramref name="offset"/>.</summary>
    /// <exception cref="StorageException">The read failed (a file system's own exception is wrapped, the original inside).</exception>
    /// <exception cref="CorruptionException">The file is shorter than what was written to it.</exception>
    public void Read(long offset, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        int read;
        try
        {
            read = _file.Read(offset, destination);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw StorageErrors.Wrap(ex, "read", Path);
        }

        if (read != destination.Length)
        {
            throw new CorruptionException(ErrorCode.Corruption,
                $"The transaction's spilled log in '{Path}' ends at {offset + read}, before the {destination.Length} bytes written at {offset}.")
            {
                FilePath = Path,
            };
        }
    }

    /// <summary>
    /// Closes and deletes the file (once; later calls do nothing). A failure is reported to the creator's callback and
    /// never thrown: a scratch file that cannot be removed now loses nothing, and the next open deletes it.
    /// </summary>
    /// <remarks>
    /// Nothing the callback throws escapes either: it calls the application's logger, and this runs where a throw
    /// would cost what the delete never could, at the end of a commit that is already durable (the pruning of the
    /// committed log), under the sequencer's lock, or before a transaction unregisters its writer and unpins its
    /// snapshot.
    /// </remarks>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            _file.Dispose();
            _fileSystem.DeleteFile(Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PersistenceException)
        {
            try
            {
                _onDeleteFailure?.Invoke(ex);
            }
            catch (Exception)
            {
                // The report failed (the application's logger threw): the file is left for the next open all the same.
            }
        }
    }
}
