using Persistence.Storage;

namespace Persistence.Testing;

/// <summary>
/// An in-memory file system with Linux-like durability: file contents are durable after a flush, names after a sync
/// of their directory. It counts every write and flush, can "lose power" at a chosen one (every later operation
/// throws <see cref="SimulatedCrashException"/>), and can inject I/O errors through <see cref="Fault"/>.
/// <see cref="AfterCrash"/> builds the disk image a reboot would find. Its handles behave as the operating system's after
/// they are disposed: every later use throws <see cref="ObjectDisposedException"/>.
/// </summary>
public sealed partial class SimulatedFileSystem : IFileSystem
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SimulatedFile> _names;
    private readonly Dictionary<string, SimulatedFile> _durableNames;
    private readonly List<PendingName> _pendingNames;
    private readonly HashSet<string> _locks = [];
    private readonly Dictionary<string, int> _openHandles = [];
    private long _operations;

    public SimulatedFileSystem()
        : this([], [], [])
    {
    }

    private SimulatedFileSystem(Dictionary<string, SimulatedFile> names, Dictionary<string, SimulatedFile> durable, List<PendingName> pendingNames)
    {
        _names = names;
        _durableNames = durable;
        _pendingNames = pendingNames;
    }

    /// <summary>Writes and flushes performed so far (the crash-point counter).</summary>
    public long Operations => Interlocked.Read(ref _operations);

    /// <summary>Power fails when <see cref="Operations"/> reaches this count (that operation does not happen).</summary>
    public long CrashAtOperation { get; set; } = long.MaxValue;

    /// <summary>True once the simulated power failure happened.</summary>
    public bool Crashed { get; private set; }

    /// <summary>
    /// Called before every write, set-length and flush with the operation's kind, path and index; an exception it
    /// returns is thrown instead of performing the operation (an injected fault).
    /// </summary>
    public Func<FaultPoint, Exception?>? Fault { get; set; }

    /// <summary>
    /// Called on the operating thread before every write, set-length and flush, before it is counted and before the
    /// crash point is checked: a test blocks a thread here to let other threads' operations go first, in an order fixed
    /// by the test, so that operation indices still name the same operations on every run (a checkpoint held before
    /// its pages or its meta page while commits land, <see cref="CrashScenario"/>). An operation released after the
    /// power failed throws <see cref="SimulatedCrashException"/>, as every later one does.
    /// </summary>
    public Action<FaultKind, string>? BeforeCounted { get; set; }

    /// <summary>
    /// An I/O error to raise from a read of the file at the given path (null: read normally). Reads are not operations:
    /// they neither count toward <see cref="CrashAtOperation"/> nor go through <see cref="Fault"/>.
    /// </summary>
    public Func<string, Exception?>? ReadFault { get; set; }

    /// <summary>
    /// Called on the reading thread before every read of a file's bytes or length, ahead of <see cref="ReadFault"/> and
    /// of the check that the handle is still open: a test blocks here to hold a read in flight (while the engine closes
    /// the file, say). A read released after its handle was disposed throws <see cref="ObjectDisposedException"/>, as a
    /// real read that reaches the operating system after the close does.
    /// </summary>
    public Action<ReadPoint>? BeforeRead { get; set; }

    /// <summary>Called with the path before every delete; a returned exception fails it (a delete is not a crash point).</summary>
    public Func<string, Exception?>? DeleteFault { get; set; }

    /// <summary>
    /// Called with the source and destination paths before every rename; a returned exception fails it, leaving both
    /// names as they were (a rename is not a crash point).
    /// </summary>
    public Func<string, string, Exception?>? RenameFault { get; set; }

    /// <summary>
    /// Called with the directory's full path before every directory sync; a returned exception fails it, leaving the
    /// name changes in the directory as durable as they were (a directory sync is not a crash point).
    /// </summary>
    public Func<string, Exception?>? SyncDirectoryFault { get; set; }

    /// <summary>
    /// Called after every create, rename, delete and directory sync, none of which is a crash point: with the number of
    /// operations performed before it, a power failure at <see cref="NameChangePoint.Operations"/> comes right after the
    /// change, and one an operation earlier comes before it (<see cref="OperationLog"/>).
    /// </summary>
    public Action<NameChangePoint>? NameChanged { get; set; }

    /// <summary>The disk after a power failure: durable names and contents, plus what <paramref name="mode"/> keeps of the rest.</summary>
    public SimulatedFileSystem AfterCrash(CrashMode mode, Random random)
    {
        lock (_lock)
        {
            var names = new Dictionary<string, SimulatedFile>(_durableNames);
            var keepNames = mode switch
            {
                CrashMode.KeepAll or CrashMode.DropBeforeProcessCrash => _pendingNames.Count,
                CrashMode.DropUnsynced => 0,
                _ => random.Next(_pendingNames.Count + 1),
            };
            foreach (var change in _pendingNames.Take(keepNames))
            {
                if (mode != CrashMode.DropBeforeProcessCrash || !change.Inherited)
                {
                    change.ApplyTo(names);
                }
            }

            var images = new Dictionary<SimulatedFile, SimulatedFile>(ReferenceEqualityComparer.Instance);
            var result = new Dictionary<string, SimulatedFile>();
            foreach (var (path, file) in names)
            {
                if (!images.TryGetValue(file, out var image))
                {
                    image = file.AfterCrash(mode, random);
                    images[file] = image;
                }

                result[path] = image;
            }

            return new SimulatedFileSystem(result, new Dictionary<string, SimulatedFile>(result), []);
        }
    }

    /// <summary>
    /// The files after the process died and the machine did not (the operating system's cache survives): the names and
    /// contents a reader sees stay as they are, and every write not flushed yet, and every name change whose directory
    /// was not synced yet, stays pending, so that a later <see cref="AfterCrash"/> of the returned system can still lose
    /// it. The returned system has not crashed, counts operations from zero, and holds no locks.
    /// </summary>
    public SimulatedFileSystem AfterProcessCrash()
    {
        lock (_lock)
        {
            var copies = new Dictionary<SimulatedFile, SimulatedFile>(ReferenceEqualityComparer.Instance);
            SimulatedFile Copy(SimulatedFile file)
            {
                if (!copies.TryGetValue(file, out var copy))
                {
                    copy = file.AfterProcessCrash();
                    copies[file] = copy;
                }

                return copy;
            }

            var names = _names.ToDictionary(e => e.Key, e => Copy(e.Value));
            var durable = _durableNames.ToDictionary(e => e.Key, e => Copy(e.Value));
            var pending = _pendingNames.Select(p => p with { File = p.File is null ? null : Copy(p.File), Inherited = true }).ToList();
            return new SimulatedFileSystem(names, durable, pending);
        }
    }

    /// <summary>A copy in which every name and every write is durable (for reopening without a crash).</summary>
    public SimulatedFileSystem Clone() => AfterCrash(CrashMode.KeepAll, new Random(0));

    /// <summary>The bytes of a file as a reader sees them now.</summary>
    public byte[] ReadAllBytes(string path)
    {
        lock (_lock)
        {
            var file = _names[Path.GetFullPath(path)];
            var bytes = new byte[file.Length];
            file.Read(0, bytes);
            return bytes;
        }
    }

    /// <summary>Replaces bytes of a file and makes them durable (to simulate corruption on the medium).</summary>
    public void Corrupt(string path, long offset, ReadOnlySpan<byte> bytes)
    {
        var file = _names[Path.GetFullPath(path)];
        file.Write(offset, bytes);
        file.Flush();
    }

    /// <summary>
    /// The operating system's write-back of the file's unflushed writes fails, as during a flush that fails: they are
    /// marked clean, readers still see them, and no later flush makes them durable (a crash loses them) unless they are
    /// written again. Which flush reports the error is the test's to say (<see cref="Fault"/>): Linux reports it to one
    /// fdatasync per open file, so of two running at once on one handle, the other one succeeds.
    /// </summary>
    public void FailWriteback(string path)
    {
        lock (_lock)
        {
            _names[Path.GetFullPath(path)].LoseUnsyncedOnCrash();
        }
    }

    /// <summary>
    /// The operating system evicts from its cache the pages of the file whose write-back failed (a failed flush, or
    /// <see cref="FailWriteback"/>): readers see the bytes the disk holds there again, an older page or zeros.
    /// </summary>
    public void EvictLost(string path)
    {
        lock (_lock)
        {
            _names[Path.GetFullPath(path)].EvictLost();
        }
    }

    /// <summary><see cref="EvictLost"/> for every file: the operating system dropped every page whose write-back failed.</summary>
    public void EvictAllLost()
    {
        lock (_lock)
        {
            foreach (var file in _names.Values.Distinct())
            {
                file.EvictLost();
            }
        }
    }

    /// <summary>Truncates a file durably.</summary>
    public void Truncate(string path, long length)
    {
        var file = _names[Path.GetFullPath(path)];
        file.SetLength(length);
        file.Flush();
    }

    /// <summary>How many handles opened with <paramref name="path"/> are not disposed yet.</summary>
    public int OpenHandles(string path)
    {
        lock (_lock)
        {
            return _openHandles.GetValueOrDefault(Path.GetFullPath(path));
        }
    }

    public IReadOnlyList<string> AllFiles()
    {
        lock (_lock)
        {
            return [.. _names.Keys.Order(StringComparer.Ordinal)];
        }
    }

    IStorageFile IFileSystem.OpenFile(string path, bool create)
    {
        path = Path.GetFullPath(path);
        var created = false;
        Handle handle;
        lock (_lock)
        {
            ThrowIfCrashed();
            if (!_names.TryGetValue(path, out var file))
            {
                if (!create)
                {
                    throw new StorageException(ErrorCode.IOError, $"Could not open '{path}': it does not exist.");
                }

                file = new SimulatedFile();
                _names[path] = file;
                _pendingNames.Add(new PendingName(Parent(path), null, path, file));
                created = true;
            }

            _openHandles[path] = _openHandles.GetValueOrDefault(path) + 1;
            handle = new Handle(this, path, file);
        }

        if (created)
        {
            NameChanged?.Invoke(new NameChangePoint(NameChangeKind.Create, path, Operations));
        }

        return handle;
    }

    IStorageFile IFileSystem.OpenRead(string path)
    {
        path = Path.GetFullPath(path);
        lock (_lock)
        {
            ThrowIfCrashed();
            if (!_names.TryGetValue(path, out var file))
            {
                throw new StorageException(ErrorCode.IOError, $"Could not open '{path}': it does not exist.");
            }

            _openHandles[path] = _openHandles.GetValueOrDefault(path) + 1;
            return new Handle(this, path, file, readOnly: true);
        }
    }

    bool IFileSystem.FileExists(string path)
    {
        lock (_lock)
        {
            return _names.ContainsKey(Path.GetFullPath(path));
        }
    }

    void IFileSystem.DeleteFile(string path)
    {
        path = Path.GetFullPath(path);
        if (DeleteFault?.Invoke(path) is { } fault)
        {
            throw StorageErrors.Wrap(fault, "delete", path);
        }

        lock (_lock)
        {
            ThrowIfCrashed();
            if (!_names.Remove(path))
            {
                return;
            }

            _pendingNames.Add(new PendingName(Parent(path), path, null, null));
        }

        NameChanged?.Invoke(new NameChangePoint(NameChangeKind.Delete, path, Operations));
    }

    void IFileSystem.RenameFile(string source, string destination)
    {
        source = Path.GetFullPath(source);
        destination = Path.GetFullPath(destination);
        if (RenameFault?.Invoke(source, destination) is { } fault)
        {
            throw StorageErrors.Wrap(fault, "rename", source);
        }

        lock (_lock)
        {
            ThrowIfCrashed();
            var file = _names[source];
            _names.Remove(source);
            _names[destination] = file;
            _pendingNames.Add(new PendingName(Parent(destination), source, destination, file));
        }

        NameChanged?.Invoke(new NameChangePoint(NameChangeKind.Rename, destination, Operations));
    }

    void IFileSystem.CreateDirectory(string path)
    {
    }

    // Directories are implied by the files in them: an empty one is nothing to delete.
    void IFileSystem.DeleteDirectory(string path)
    {
    }

    IReadOnlyList<string> IFileSystem.ListFiles(string directory)
    {
        directory = Path.GetFullPath(directory);
        lock (_lock)
        {
            return [.. _names.Keys.Where(p => Parent(p) == directory).Select(Path.GetFileName).OfType<string>()];
        }
    }

    void IFileSystem.SyncDirectory(string directory)
    {
        directory = Path.GetFullPath(directory);
        if (SyncDirectoryFault?.Invoke(directory) is { } fault)
        {
            throw StorageErrors.Wrap(fault, "sync directory", directory);
        }

        lock (_lock)
        {
            ThrowIfCrashed();
            var kept = new List<PendingName>();
            foreach (var change in _pendingNames)
            {
                if (change.Directory == directory)
                {
                    change.ApplyTo(_durableNames);
                }
                else
                {
                    kept.Add(change);
                }
            }

            _pendingNames.Clear();
            _pendingNames.AddRange(kept);
        }

        NameChanged?.Invoke(new NameChangePoint(NameChangeKind.SyncDirectory, directory, Operations));
    }

    IDisposable IFileSystem.LockFile(string path)
    {
        path = Path.GetFullPath(path);
        lock (_lock)
        {
            if (!_locks.Add(path))
            {
                throw new StorageException(ErrorCode.DatabaseLocked, $"The database is in use: '{path}' is locked.");
            }

            return new LockHandle(this, path);
        }
    }

    internal void BeforeOperation(FaultKind kind, string path)
    {
        BeforeCounted?.Invoke(kind, path);
        long index;
        lock (_lock)
        {
            ThrowIfCrashed();
            index = _operations;
            if (index >= CrashAtOperation)
            {
                Crashed = true;
                throw new SimulatedCrashException(index);
            }

            _operations++;
        }

        if (Fault?.Invoke(new FaultPoint(kind, path, index)) is { } fault)
        {
            // Like the operating-system implementation, the abstraction reports failures as StorageExceptions.
            throw StorageErrors.Wrap(fault, kind.ToString().ToLowerInvariant(), path);
        }
    }

    private void ThrowIfCrashed()
    {
        if (Crashed)
        {
            throw new SimulatedCrashException(_operations);
        }
    }

    private static string Parent(string path) => Path.GetDirectoryName(path)!;

    /// <summary>
    /// A name change not yet durable: <paramref name="Removed"/> goes away and <paramref name="Added"/> names
    /// <paramref name="File"/> (a create adds, a delete removes, a rename does both) once <paramref name="Directory"/> is
    /// synced. <paramref name="Inherited"/>: made by a process that crashed before (<see cref="AfterProcessCrash"/>).
    /// </summary>
    private readonly record struct PendingName(string Directory, string? Removed, string? Added, SimulatedFile? File, bool Inherited = false)
    {
        public void ApplyTo(Dictionary<string, SimulatedFile> names)
        {
            if (Removed is not null)
            {
                names.Remove(Removed);
            }

            if (Added is not null)
            {
                names[Added] = File!;
            }
        }
    }

    private sealed class LockHandle(SimulatedFileSystem fs, string path) : IDisposable
    {
        public void Dispose()
        {
            lock (fs._lock)
            {
                fs._locks.Remove(path);
            }
        }
    }
}

/// <summary>The power failed: the simulated disk accepts no more operations.</summary>
public sealed class SimulatedCrashException(long operation) : IOException($"Simulated power failure at operation {operation}.");

/// <summary>An operation about to happen, offered to <see cref="SimulatedFileSystem.Fault"/>.</summary>
public readonly record struct FaultPoint(FaultKind Kind, string Path, long Index);

/// <summary>A name change that happened (<see cref="SimulatedFileSystem.NameChanged"/>), after <paramref name="Operations"/> operations.</summary>
public readonly record struct NameChangePoint(NameChangeKind Kind, string Path, long Operations);

/// <summary>Kinds of name changes (none is a crash point).</summary>
public enum NameChangeKind
{
    Create,
    Rename,
    Delete,
    SyncDirectory,
}

/// <summary>A read about to happen, offered to <see cref="SimulatedFileSystem.BeforeRead"/>: of the file's bytes, or of its length.</summary>
public readonly record struct ReadPoint(string Path, bool OfLength);

/// <summary>Kinds of simulated operations.</summary>
public enum FaultKind
{
    Write,
    SetLength,
    Flush,
}
