using Microsoft.Win32.SafeHandles;

namespace Persistence.Storage;

/// <summary>A real file, accessed with positional reads and writes (pread/pwrite/pwritev) and fdatasync.</summary>
/// <remarks>
/// Every use after <see cref="Dispose"/> throws <see cref="TransactionStateException"/> with
/// <see cref="ErrorCode.DatabaseClosed"/>, the error the rest of the engine reports for a closed database, never the
/// handle's <see cref="ObjectDisposedException"/>: the database closes its files only after the work that uses them
/// (reads of the data file pass <see cref="PageStore"/>'s gate), so one reaching a closed handle raced the close,
/// and the caller must see the same typed failure as one refused at the gate.
/// <para>
/// Every failure the .NET file APIs document for a read, write, resize or sync of an open handle (an
/// <see cref="IOException"/>, an <see cref="UnauthorizedAccessException"/> for a handle that may not write, a
/// <see cref="NotSupportedException"/> for a file that cannot be positioned) reaches the engine as a
/// <see cref="StorageException"/> (<see cref="StorageErrors.Wrap"/>): a failed write or sync turns the database read-only
/// through the same path whatever the operating system said, and the caller sees a typed error with a code.
/// </para>
/// </remarks>
internal sealed class OsStorageFile : IStorageFile
{
    private readonly SafeFileHandle _handle;

    /// <param name="readOnly">Opens the file for reading only (the operating system refuses every write).</param>
    public OsStorageFile(string path, bool create, bool readOnly = false)
    {
        Path = path;
        try
        {
            _handle = File.OpenHandle(
                path,
                create ? FileMode.OpenOrCreate : FileMode.Open,
                readOnly ? FileAccess.Read : FileAccess.ReadWrite,
                FileShare.ReadWrite,
                FileOptions.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw StorageErrors.Wrap(ex, "open", path);
        }
    }

    public string Path { get; }

    public long Length
    {
        get
        {
            try
            {
                return RandomAccess.GetLength(_handle);
            }
            catch (IOException ex)
            {
                throw StorageErrors.Wrap(ex, "read the length of", Path);
            }
            catch (ObjectDisposedException ex)
            {
                throw TransactionStateException.DatabaseClosed(ex);
            }
        }
    }

    public int Read(long offset, Span<byte> buffer)
    {
        try
        {
            var total = 0;
            while (total < buffer.Length)
            {
                var read = RandomAccess.Read(_handle, buffer[total..], offset + total);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return total;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw StorageErrors.Wrap(ex, "read", Path);
        }
        catch (ObjectDisposedException ex)
        {
            throw TransactionStateException.DatabaseClosed(ex);
        }
    }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        try
        {
            RandomAccess.Write(_handle, data, offset);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw StorageErrors.Wrap(ex, "write", Path);
        }
        catch (ObjectDisposedException ex)
        {
            throw TransactionStateException.DatabaseClosed(ex);
        }
    }

    public void Write(long offset, IReadOnlyList<ReadOnlyMemory<byte>> buffers)
    {
        try
        {
            RandomAccess.Write(_handle, buffers, offset);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw StorageErrors.Wrap(ex, "write", Path);
        }
        catch (ObjectDisposedException ex)
        {
            throw TransactionStateException.DatabaseClosed(ex);
        }
    }

    public void SetLength(long length)
    {
        try
        {
            RandomAccess.SetLength(_handle, length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw StorageErrors.Wrap(ex, "resize", Path);
        }
        catch (ObjectDisposedException ex)
        {
            throw TransactionStateException.DatabaseClosed(ex);
        }
    }

    public void Flush()
    {
        try
        {
            NativeMethods.FlushData(_handle);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw StorageErrors.Wrap(ex, "flush", Path);
        }
        catch (ObjectDisposedException ex)
        {
            throw TransactionStateException.DatabaseClosed(ex);
        }
    }

    public void Dispose() => _handle.Dispose();
}
