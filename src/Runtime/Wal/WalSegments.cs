using System.Globalization;
using Persistence.Storage;

namespace Persistence.Wal;

/// <summary>
/// The WAL's segment files: fixed-size files named by segment index (LSN = index × segment size + offset), kept in
/// the directory next to the data file. Segments that a durable checkpoint made obsolete are kept as spares and
/// renamed into place when the log needs a new segment, so their blocks are already allocated.
/// </summary>
internal sealed class WalSegments : IDisposable
{
    private const string Extension = ".wal";
    private const int MaxSpares = 4;
    private readonly IFileSystem _fs;
    private readonly Dictionary<long, IStorageFile> _open = [];
    private readonly SortedSet<long> _existing = [];
    private readonly Queue<long> _spares = new();
    private readonly Lock _lock = new();

    public WalSegments(IFileSystem fs, string directory, int segmentSize)
    {
        _fs = fs;
        Directory = directory;
        SegmentSize = segmentSize;
        fs.CreateDirectory(directory);
        foreach (var name in fs.ListFiles(directory))
        {
            if (name.EndsWith(Extension, StringComparison.Ordinal)
                && long.TryParse(name.AsSpan(0, name.Length - Extension.Length), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var index))
            {
                _existing.Add(index);
            }
        }
    }

    public string Directory { get; }

    public int SegmentSize { get; }

    /// <summary>Bytes held by segment files (live and spare).</summary>
    public long DiskBytes
    {
        get
        {
            lock (_lock)
            {
                return (long)_existing.Count * SegmentSize;
            }
        }
    }

    public static string NameOf(long index) => index.ToString("x16", CultureInfo.InvariantCulture) + Extension;

    public long IndexOf(long lsn) => lsn / SegmentSize;

    public long OffsetOf(long lsn) => lsn % SegmentSize;

    /// <summary>The segment file, or null when it does not exist (the log ends before it).</summary>
    public IStorageFile? TryOpen(long index)
    {
        lock (_lock)
        {
            if (_open.TryGetValue(index, out var file))
            {
                return file;
            }

            if (!_existing.Contains(index))
            {
                return null;
            }

            file = _fs.OpenFile(Path(index), create: false);
            _open[index] = file;
            return file;
        }
    }

    /// <summary>
    /// The segment to write at <paramref name="index"/>: existing, a renamed spare, or a new file. Any name-space change
    /// is made durable before returning, so an fdatasync of the file afterwards makes writes to it durable.
    /// </summary>
    public IStorageFile OpenForWrite(long index)
    {
        if (TryOpen(index) is { } existing)
        {
            return existing;
        }

        lock (_lock)
        {
            if (_spares.TryDequeue(out var spare))
            {
                _open.Remove(spare, out var handle);
                handle?.Dispose();
                _fs.RenameFile(Path(spare), Path(index));
                _existing.Remove(spare);
            }
            else
            {
                using var created = _fs.OpenFile(Path(index), create: true);
                created.SetLength(SegmentSize);
                created.Flush();
            }

            _existing.Add(index);
            _fs.SyncDirectory(Directory);
            var file = _fs.OpenFile(Path(index), create: false);
            _open[index] = file;
            return file;
        }
    }

    /// <summary>Segments wholly before <paramref name="index"/> are no longer needed: keep a few as spares, delete the rest.</summary>
    public void Recycle(long index)
    {
        lock (_lock)
        {
            var deleted = false;
            foreach (var old in _existing.Where(i => i < index && !_spares.Contains(i)).ToList())
            {
                if (_spares.Count < MaxSpares)
                {
                    _spares.Enqueue(old);
                    continue;
                }

                _open.Remove(old, out var handle);
                handle?.Dispose();
                _fs.DeleteFile(Path(old));
                _existing.Remove(old);
                deleted = true;
            }

            if (deleted)
            {
                _fs.SyncDirectory(Directory);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var file in _open.Values)
            {
                file.Dispose();
            }

            _open.Clear();
        }
    }

    private string Path(long index) => System.IO.Path.Combine(Directory, NameOf(index));
}
