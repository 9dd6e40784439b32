using System.Globalization;
using Persistence.Storage;

namespace Persistence.Wal;

/// <summary>The WAL's segment files.</summary>
/// <remarks>
/// Fixed-size files named by segment index (LSN = index × segment size + offset), kept in
/// the directory next to the data file. Segments that a durable checkpoint made obsolete are kept as spares and
/// renamed into place when the log needs a new segment. A new segment is filled with zeros and synced before use, and
/// the next one is prepared in the background while the current one fills: overwriting allocated blocks lets
/// fdatasync skip the file-system journal, which measured about a third faster per commit than appending to a sparse
/// or growing file.
/// </remarks>
internal sealed class WalSegments : IDisposable
{
    internal const string Extension = ".wal";
    private const int MaxSpares = 1; // one recycled segment is enough: the next is also prepared ahead
    private readonly IFileSystem _fs;
    private readonly Dictionary<long, IStorageFile> _open = [];
    private readonly SortedSet<long> _existing = [];
    private readonly Queue<long> _spares = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<long, Task> _preparing = [];
    private readonly Action<Exception> _onFailure;
    private readonly bool _readOnly; // salvage: the log is only read
    private readonly bool _prepareInBackground;
    private readonly Action<string, Exception>? _onDeleteFailed;
    private readonly Action<string, Exception>? _onSpareRenameFailed;

    /// <param name="onFailure">Called when preparing a segment in the background fails (the database turns read-only: every failed fsync does).</param>
    /// <param name="prepareInBackground">Prepare the next segment on a thread-pool task (false: on the caller's thread; <see cref="DatabaseOptions.BackgroundWork"/>).</param>
    /// <param name="onDeleteFailed">Called with the file's path when an obsolete segment cannot be deleted (<see cref="Recycle"/> tries again later).</param>
    /// <param name="onSpareRenameFailed">Called with the spare's path when it cannot be renamed into place (a new segment is created instead).</param>
    public WalSegments(IFileSystem fs, string directory, int segmentSize, Action<Exception> onFailure, bool prepareInBackground = true,
        Action<string, Exception>? onDeleteFailed = null, Action<string, Exception>? onSpareRenameFailed = null)
        : this(fs, directory, segmentSize, onFailure, prepareInBackground, readOnly: false)
    {
        _onDeleteFailed = onDeleteFailed;
        _onSpareRenameFailed = onSpareRenameFailed;
    }

    private WalSegments(IFileSystem fs, string directory, int segmentSize, Action<Exception> onFailure, bool prepareInBackground, bool readOnly)
    {
        _onFailure = onFailure;
        _prepareInBackground = prepareInBackground;
        _fs = fs;
        _readOnly = readOnly;
        Directory = directory;
        SegmentSize = segmentSize;
        if (!readOnly)
        {
            fs.CreateDirectory(directory);
            // The log directory's own name must be durable before a commit synced inside it is acknowledged: once per
            // open, since the abstraction cannot tell a directory it just created from one that was there. The same sync
            // makes the data file's name beside it durable (Database.Open relies on it, BackupCrashTests pins it).
            fs.SyncDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(directory))!);
        }

        foreach (var name in fs.ListFiles(directory))
        {
            if (name.EndsWith(Extension, StringComparison.Ordinal)
                && long.TryParse(name.AsSpan(0, name.Length - Extension.Length), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var index))
            {
                _existing.Add(index);
            }
        }

        if (_existing.Count > 0 && !readOnly)
        {
            // A listed name need not be durable: a preparation that failed before its directory sync (or a process that
            // died there) leaves its file behind, and a process that reopens without a reboot finds it. The log would
            // write commits into it, fdatasync only the file, and a power failure could take the name and the commits.
            fs.SyncDirectory(directory);
        }
    }

    /// <summary>
    /// The segments of an existing log, for reading only (salvage): the directory is neither created nor synced, and
    /// segment files are opened with <see cref="IFileSystem.OpenRead"/>. Writing, discarding, syncing and recycling are
    /// bugs in this mode.
    /// </summary>
    public static WalSegments OpenReadOnly(IFileSystem fs, string directory, int segmentSize) =>
        new(fs, directory, segmentSize, static _ => { }, prepareInBackground: false, readOnly: true);

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

            file = _readOnly ? _fs.OpenRead(Path(index)) : _fs.OpenFile(Path(index), create: false);
            _open[index] = file;
            return file;
        }
    }

    /// <summary>The indexes of the segment files at or above <paramref name="index"/>, in order.</summary>
    public IReadOnlyList<long> ExistingFrom(long index)
    {
        lock (_lock)
        {
            return [.. _existing.GetViewBetween(index, long.MaxValue)];
        }
    }

    /// <summary>Whether a segment file with an index above <paramref name="index"/> exists (live, spare or prepared ahead).</summary>
    public bool ExistsAfter(long index)
    {
        lock (_lock)
        {
            return _existing.Count > 0 && _existing.Max > index;
        }
    }

    /// <summary>
    /// The segment to write at <paramref name="index"/>, ready (allocated, and its name durable, so an fdatasync of the
    /// file afterwards makes writes to it durable); starts preparing the segment after it in the background.
    /// </summary>
    public IStorageFile OpenForWrite(long index)
    {
        ThrowIfReadOnly();
        Task? pending;
        lock (_lock)
        {
            _preparing.Remove(index, out pending);
        }

        pending?.GetAwaiter().GetResult();
        if (TryOpen(index) is not { } file)
        {
            Prepare(index);
            file = TryOpen(index)!;
        }

        var prepareNext = false;
        lock (_lock)
        {
            if (!_existing.Contains(index + 1) && !_preparing.ContainsKey(index + 1))
            {
                prepareNext = !_prepareInBackground;
                if (_prepareInBackground)
                {
                    _preparing[index + 1] = Task.Run(() => PrepareInBackground(index + 1));
                }
            }
        }

        if (prepareNext)
        {
            Prepare(index + 1);
        }

        return file;
    }

    private void PrepareInBackground(long index)
    {
        try
        {
            Prepare(index);
        }
        catch (Exception ex)
        {
            _onFailure(ex);
            throw;
        }
    }

    /// <summary>Makes segment <paramref name="index"/> exist: a renamed spare, or a new zero-filled file.</summary>
    private void Prepare(long index)
    {
        long? spare = null;
        lock (_lock)
        {
            if (_existing.Contains(index))
            {
                return;
            }

            if (_spares.TryDequeue(out var recycled))
            {
                _open.Remove(recycled, out var handle);
                handle?.Dispose();
                _existing.Remove(recycled);
                spare = recycled;
            }
        }

        if (spare is not { } renamed || !TryRenameSpare(renamed, index))
        {
            using var created = _fs.OpenFile(Path(index), create: true);
            var zeros = new byte[Math.Min(SegmentSize, 1 << 20)];
            for (long offset = 0; offset < SegmentSize; offset += zeros.Length)
            {
                created.Write(offset, zeros.AsSpan(0, (int)Math.Min(zeros.Length, SegmentSize - offset)));
            }

            created.Flush();
        }

        _fs.SyncDirectory(Directory);
        lock (_lock)
        {
            _existing.Add(index);
        }
    }

    /// <summary>
    /// Renames <paramref name="spare"/> into place as segment <paramref name="index"/>; false when the rename failed,
    /// and the caller then creates the segment afresh (which overwrites whatever a rename that failed late put there).
    /// </summary>
    /// <remarks>
    /// Reusing a spare only saves the zero-filling, so its failure is logged and nothing more: the spare, if its file is
    /// still there, is listed again, and the next checkpoint's recycling keeps it as the spare (the rename is tried again
    /// at a later preparation) or deletes it. Without that the file stayed on disk untracked until the next open, and
    /// the database turned read-only although nothing durable was lost.
    /// </remarks>
    private bool TryRenameSpare(long spare, long index)
    {
        try
        {
            _fs.RenameFile(Path(spare), Path(index));
            return true;
        }
        catch (StorageException ex)
        {
            _onSpareRenameFailed?.Invoke(Path(spare), ex);
            if (_fs.FileExists(Path(spare)))
            {
                lock (_lock)
                {
                    _existing.Add(spare);
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Clears what lies after <paramref name="lsn"/>, the end of the log that recovery accepted, before anything is
    /// written there: the rest of its segment is zeroed and synced, and then later segments holding anything are
    /// deleted (durably). The order matters: a deleted segment must never be followed by the frames that lead into it.
    /// </summary>
    /// <remarks>
    /// Frames there belong to a history that a crash cut short (a later commit whose write survived when an earlier
    /// one's did not). The chained checksum keeps them from validating only while the new log differs from the lost
    /// one: a commit that repeats the first lost commit exactly (same version, place, payload and chain seed) is
    /// byte for byte the lost frame, and the stale frames after it would chain onto it and be replayed at the next open.
    /// </remarks>
    public void DiscardAfter(long lsn)
    {
        ThrowIfReadOnly();
        var index = IndexOf(lsn);
        var block = new byte[Math.Min(SegmentSize, 1 << 20)];
        if (TryOpen(index) is { } current)
        {
            // Synced even when there was nothing to zero: the zeros read may be an earlier open's, which died before
            // its fsync and left them in the operating system's cache only. Deleting later segments durably while they
            // are not durable lets a power failure bring the cut-short frames back, chaining into a deleted segment
            // with the prepared ones after it still there: a gap every later open refuses as corruption.
            ZeroFrom(current, OffsetOf(lsn), block);
            current.Flush();
        }

        var deleted = false;
        List<long> later;
        lock (_lock)
        {
            later = [.. _existing.Where(i => i > index)];
        }

        foreach (var stale in later)
        {
            var file = TryOpen(stale)!;
            if (!HoldsAnything(file, block))
            {
                continue; // zero-filled ahead of use and never written: keep it
            }

            lock (_lock)
            {
                _open.Remove(stale);
                file.Dispose();
                _existing.Remove(stale);
            }

            _fs.DeleteFile(Path(stale));
            deleted = true;
        }

        if (deleted)
        {
            _fs.SyncDirectory(Directory);
        }
    }

    /// <summary>
    /// Makes durable the log from <paramref name="fromLsn"/> to <paramref name="toLsn"/>, writing its bytes again before
    /// the segments holding it are synced: after the process died with the machine still up, recovery reads frames that
    /// may still sit in the operating system's cache only, and new commits must not chain onto frames that a power
    /// failure could still take.
    /// </summary>
    /// <remarks>
    /// A sync alone is not enough. When the process died after a sync of the log failed, the pages whose write-back
    /// failed stay in the cache marked clean (Linux): recovery reads them, and a sync from this process succeeds without
    /// writing them, since the failure was reported to the dead process's sync. A power failure then takes them, and the
    /// commits acknowledged after the reopen, chained onto them, with them. Writing the bytes back makes them dirty, so
    /// that the sync writes them or fails. It costs a write of what recovery read, at an open that replayed a log: nothing
    /// after a clean close, whose final checkpoint leaves no log to replay.
    /// </remarks>
    public void Sync(long fromLsn, long toLsn)
    {
        ThrowIfReadOnly();
        if (toLsn <= fromLsn)
        {
            return;
        }

        var block = new byte[Math.Min(SegmentSize, 1 << 20)];
        for (var index = IndexOf(fromLsn); index <= IndexOf(toLsn); index++)
        {
            if (TryOpen(index) is not { } file)
            {
                continue;
            }

            var start = index == IndexOf(fromLsn) ? OffsetOf(fromLsn) : 0;
            var end = index == IndexOf(toLsn) ? OffsetOf(toLsn) : SegmentSize;
            Rewrite(file, start, end, block);
            file.Flush();
        }
    }

    /// <summary>Writes the bytes of <paramref name="file"/> from <paramref name="start"/> to <paramref name="end"/> back as they are.</summary>
    private static void Rewrite(IStorageFile file, long start, long end, byte[] block)
    {
        for (var offset = start; offset < end; offset += block.Length)
        {
            var span = block.AsSpan(0, (int)Math.Min(block.Length, end - offset));
            var read = file.Read(offset, span);
            if (read > 0)
            {
                file.Write(offset, span[..read]);
            }

            if (read < span.Length)
            {
                return;
            }
        }
    }

    private void ZeroFrom(IStorageFile file, long start, byte[] block)
    {
        for (var offset = start; offset < SegmentSize; offset += block.Length)
        {
            var span = block.AsSpan(0, (int)Math.Min(block.Length, SegmentSize - offset));
            var read = file.Read(offset, span);
            if (span[..read].ContainsAnyExcept((byte)0))
            {
                span[..read].Clear();
                file.Write(offset, span[..read]);
            }
        }
    }

    private bool HoldsAnything(IStorageFile file, byte[] block)
    {
        for (long offset = 0; offset < SegmentSize; offset += block.Length)
        {
            var span = block.AsSpan(0, (int)Math.Min(block.Length, SegmentSize - offset));
            var read = file.Read(offset, span);
            if (span[..read].ContainsAnyExcept((byte)0))
            {
                return true;
            }

            if (read < span.Length)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>Segments wholly before <paramref name="index"/> are no longer needed: keep a few as spares, delete the rest.</summary>
    /// <remarks>
    /// A failed sync of the directory after the deletes throws, and the checkpoint that called it turns the database
    /// read-only although its meta page is durable. Deletes that a power failure undoes would be harmless (an open lists
    /// and recycles the segments again), but the error is not the deletes' alone: Linux reports a directory's failed
    /// write-back once, to whichever sync comes first, and does not say which name change it lost. A segment being
    /// prepared meanwhile (its create or rename synced outside the lock) may be the one: its own sync would then succeed,
    /// and commits acknowledged in it could vanish with its name. So writes stop, as after any failed sync; the exception
    /// says the checkpoint itself is durable, so that a caller does not take it as lost.
    /// </remarks>
    public void Recycle(long index)
    {
        ThrowIfReadOnly();
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
                try
                {
                    _fs.DeleteFile(Path(old));
                }
                catch (StorageException ex)
                {
                    // Nothing needs the segment any more, and nothing durable depends on its going: it stays listed, and
                    // the next checkpoint's recycling tries again (an open lists and recycles it too).
                    _onDeleteFailed?.Invoke(Path(old), ex);
                    continue;
                }

                _existing.Remove(old);
                deleted = true;
            }

            if (deleted)
            {
                try
                {
                    _fs.SyncDirectory(Directory);
                }
                catch (StorageException ex)
                {
                    throw new StorageException(
                        ex.Code,
                        $"The checkpoint is durable, but syncing the log directory after deleting the segments it made obsolete failed; the database stops writing, since the failure may concern another name change in '{Directory}'. Cause: {ex.Message}",
                        ex);
                }
            }
        }
    }

    public void Dispose()
    {
        Task[] pending;
        lock (_lock)
        {
            pending = [.. _preparing.Values];
            _preparing.Clear();
        }

        try
        {
            Task.WaitAll(pending);
        }
        catch (AggregateException)
        {
            // A segment that failed to prepare is simply not used; the error surfaces if the log ever needs it.
        }

        lock (_lock)
        {
            foreach (var file in _open.Values)
            {
                file.Dispose();
            }

            _open.Clear();
        }
    }

    private void ThrowIfReadOnly()
    {
        if (_readOnly)
        {
            throw new System.Diagnostics.UnreachableException($"The log in '{Directory}' was opened read-only.");
        }
    }

    private string Path(long index) => System.IO.Path.Combine(Directory, NameOf(index));
}
