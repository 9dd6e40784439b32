using Microsoft.Win32.SafeHandles;

namespace Persistence.Storage;

/// <summary>A real file, accessed with positional reads and writes (pread/pwrite/pwritev) and fdatasync.</summary>
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

    public long Length => RandomAccess.GetLength(_handle);

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
        catch (IOException ex)
        {
            throw StorageErrors.Wrap(ex, "read", Path);
        }
    }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        try
        {
            RandomAccess.Write(_handle, data, offset);
        }
        catch (IOException ex)
        {
            throw StorageErrors.Wrap(ex, "write", Path);
        }
    }

    public void Write(long offset, IReadOnlyList<ReadOnlyMemory<byte>> buffers)
    {
        try
        {
            RandomAccess.Write(_handle, buffers, offset);
        }
        catch (IOException ex)
        {
            throw StorageErrors.Wrap(ex, "write", Path);
        }
    }

    public void SetLength(long length)
    {
        try
        {
            RandomAccess.SetLength(_handle, length);
        }
        catch (IOException ex)
        {
            throw StorageErrors.Wrap(ex, "resize", Path);
        }
    }

    public void Flush()
    {
        try
        {
            NativeMethods.FlushData(_handle);
        }
        catch (IOException ex)
        {
            throw StorageErrors.Wrap(ex, "flush", Path);
        }
    }

    public void Dispose() => _handle.Dispose();
}
