using Persistence.Storage;

namespace Persistence.Testing;

/// <content>The handles <see cref="SimulatedFileSystem"/> opens.</content>
public sealed partial class SimulatedFileSystem
{
    /// <summary>An open file. Once disposed, every use throws <see cref="ObjectDisposedException"/>, as a real handle's does.</summary>
    /// <param name="readOnly">Opened with <see cref="IFileSystem.OpenRead"/>: writes, length changes and flushes fail.</param>
    private sealed class Handle(SimulatedFileSystem fs, string path, SimulatedFile file, bool readOnly = false) : IStorageFile
    {
        private int _disposed;

        public string Path => path;

        public long Length
        {
            get
            {
                fs.BeforeRead?.Invoke(new ReadPoint(path, OfLength: true));
                ThrowIfDisposed();
                return file.Length;
            }
        }

        public int Read(long offset, Span<byte> buffer)
        {
            fs.ThrowIfCrashedPublic();
            fs.BeforeRead?.Invoke(new ReadPoint(path, OfLength: false));
            if (fs.ReadFault?.Invoke(path) is { } fault)
            {
                throw StorageErrors.Wrap(fault, "read", path);
            }

            ThrowIfDisposed(); // checked last: a read held in a hook above reaches the "disk" only now
            return file.Read(offset, buffer);
        }

        // Writes check the handle before anything else: a write through a closed handle is not an operation the disk
        // sees, so it neither counts toward a crash point nor reaches Fault.
        public void Write(long offset, ReadOnlySpan<byte> data)
        {
            ThrowIfDisposed();
            ThrowIfReadOnly();
            fs.BeforeOperation(FaultKind.Write, path);
            file.Write(offset, data);
        }

        public void Write(long offset, IReadOnlyList<ReadOnlyMemory<byte>> buffers)
        {
            // A vectored write is one operation for crash points, but its pieces may persist independently.
            ThrowIfDisposed();
            ThrowIfReadOnly();
            fs.BeforeOperation(FaultKind.Write, path);
            foreach (var buffer in buffers)
            {
                file.Write(offset, buffer.Span);
                offset += buffer.Length;
            }
        }

        public void SetLength(long length)
        {
            ThrowIfDisposed();
            ThrowIfReadOnly();
            fs.BeforeOperation(FaultKind.SetLength, path);
            file.SetLength(length);
        }

        public void Flush()
        {
            ThrowIfDisposed();
            ThrowIfReadOnly();
            try
            {
                fs.BeforeOperation(FaultKind.Flush, path);
            }
            catch (Exception ex) when (ex is not SimulatedCrashException)
            {
                file.LoseUnsyncedOnCrash();
                throw;
            }

            file.Flush();
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                fs.Closed(path);
            }
        }

        private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        private void ThrowIfReadOnly()
        {
            if (readOnly)
            {
                // Not a StorageException: no handler of storage errors may take a write to a read-only file for an I/O error.
                throw new InvalidOperationException($"'{path}' was opened read-only (IFileSystem.OpenRead) and cannot be changed.");
            }
        }
    }

    private void Closed(string path)
    {
        lock (_lock)
        {
            if (--_openHandles[path] == 0)
            {
                _openHandles.Remove(path);
            }
        }
    }

    private void ThrowIfCrashedPublic()
    {
        lock (_lock)
        {
            ThrowIfCrashed();
        }
    }
}
