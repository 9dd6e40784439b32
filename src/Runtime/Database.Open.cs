using System.Security.Cryptography;
using Persistence.BTree;
using Persistence.Diagnostics;
using Persistence.Storage;
using Persistence.Transactions;
using Persistence.Wal;

namespace Persistence;

public sealed partial class Database
{
    private Database(DatabaseOptions options)
    {
        _options = options;
        _limits = new TreeLimits(options.PageSize);
        Source = new InMemoryNodeSource(options.PageSize, PageStore.PoolPages(options.PageCacheBytes, options.PageSize));
        _chain = new VersionChain(new DbVersion(0, [], Catalog.Empty, options.TimeProvider.GetTimestamp()), Source.Pages);
        Sequencer = new CommitSequencer(this, _chain);
        Metrics = new DatabaseMetrics(this, options.MeterFactory);
        Ttl = new Ttl.TtlCollector(this);
    }

    private Database(string path, DatabaseOptions options, IFileSystem fs)
    {
        _options = options;
        Path = System.IO.Path.GetFullPath(path);
        _fileLock = fs.LockFile(Path + "-lock");
        _fileSystem = fs;
        Metrics = new DatabaseMetrics(this, options.MeterFactory);
        Ttl = new Ttl.TtlCollector(this);
        var opening = System.Diagnostics.Stopwatch.GetTimestamp();
        IStorageFile? file = null;
        WalSegments? segments = null;
        try
        {
            LogSpill.DeleteLeftovers(fs, Path, ex => Log.SpillCleanupFailed(Logger, Path, ex));
            if (options.LogSpillBytes > 0)
            {
                var spillPath = Path + LogSpill.Infix;
                SpillPolicy = new LogSpillPolicy(
                    options.LogSpillBytes,
                    () => LogSpill.Create(
                        fs,
                        spillPath + Interlocked.Increment(ref _spillFiles).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ex => Log.SpillCleanupFailed(Logger, Path, ex)),
                    ex => Log.LogSpillFailed(Logger, Path, ex));
            }

            if (!fs.FileExists(Path) || IsEmpty(fs, Path))
            {
                RefuseLogWithoutData(fs, Path);
                Create(fs, Path, options);
            }

            file = fs.OpenFile(Path, create: false);
            var (meta, slot) = ReadMeta(file);

            // The meta page just read may sit only in the operating system's cache: a process that died between a
            // checkpoint's meta write and its fsync leaves it there. From here on pages that the checkpoint before it
            // still reaches are reused (by recovery's leaves, commits' spills, the next checkpoint), so it must be
            // durable first, or a power failure takes it and leaves the older one pointing at overwritten pages. It is
            // written again before the fdatasync: when the process died after that fsync failed, Linux keeps the page
            // in the cache marked clean, and an fdatasync of an untouched page succeeds without writing it. One page
            // write and one fdatasync per open; rewriting the bytes a durable page already holds changes nothing.
            RewriteMeta(file, meta, slot);
            file.Flush();
            _clockHighWater = meta.ClockHighWaterTicks; // a clock set back across the restart does not resurrect expired documents
            _limits = new TreeLimits(meta.PageSize);
            _store = new PageStore(file, meta.PageSize, options.PageCacheBytes, MakeReadOnly);
            _store.NewestGeneration = meta.Sequence + 1;
            Source = _store;
            _freeSpace = FreeSpaceMap.Load(_store, meta, file.Length / meta.PageSize);
            var (checkpointed, catalogPages) = LoadCheckpoint(meta);
            _chain = new VersionChain(checkpointed, _store.Pages);
            Sequencer = new CommitSequencer(this, _chain);
            // The log folder lies beside the data file, so the sync of its parent directory that WalSegments makes
            // (once per open, before the replay and so before any commit can be acknowledged) makes the data file's own
            // name durable too: a rename into place that is not durable yet (a backup or salvage that died between its
            // rename and its directory sync, a file the application moved there) would otherwise be lost to a power
            // failure together with every commit acknowledged into the file since. A failure fails the open.
            segments = new WalSegments(fs, Path + "-wal", meta.WalSegmentSize, MakeReadOnly, options.BackgroundWork,
                (segment, ex) => Log.SegmentDeleteFailed(Logger, segment, ex), (spare, ex) => Log.SpareRenameFailed(Logger, spare, ex));
            _walSegments = segments;
            var maxPayload = Math.Min(1 << 20, (meta.WalSegmentSize / 4) - WalFrame.HeaderSize);
            SpillLeavesAfter = options.SpillLeavesAfter > 0 ? options.SpillLeavesAfter : Math.Max(64, _store.Cache.Capacity);
            var spiller = new LeafSpiller(this, _store, _freeSpace);
            var recovered = Recovery.Replay(this, segments, checkpointed, maxPayload, new RecoverySpill(spiller, meta.Sequence + 1, SpillLeavesAfter),
                options.RecoveryHeldLogBytes);
            Recovered = recovered;
            if (LogTailCheck.FindDurableFrameAfter(segments, recovered.EndLsn, maxPayload) is { } later)
            {
                throw new CorruptionException(
                    ErrorCode.Corruption,
                    $"The write-ahead log of '{Path}' is damaged after LSN {recovered.EndLsn}: a frame written at LSN {later}, once everything before it was durable, follows the damage, so this is not the torn end a crash leaves. Opening would drop acknowledged commits; the database is refused and its files are left as they are.")
                {
                    FilePath = segments.Directory,
                };
            }

            segments.DiscardAfter(recovered.EndLsn); // frames of a history cut short must never chain onto new ones
            segments.Sync(meta.WalStartLsn, recovered.EndLsn); // new commits chain onto the recovered log, so it must be durable first
            _nextKeyspaceId = Math.Max(meta.NextKeyspaceId, recovered.NextKeyspaceId);
            if (recovered.Replayed is { } replayed)
            {
                _chain.Append(replayed);
                _chain.Publish(replayed);
            }

            // From here on every reader of nodes pins a version (recovery did not), so evicted buffers may be recycled.
            _store.Cache.RecycleEvictedBuffers(_store.Pages, _chain.NothingPinned);
            Wal = new WalWriter(segments, recovered.EndLsn, recovered.EndChain, _chain.Publish, MakeReadOnly, ScheduleBufferedFlush, Metrics)
            {
                OpenWriters = () => Sequencer.OpenDurableWriters,
                CommitFailed = version => Sequencer.DropFailedLog(version),
            };
            Log.Opened(Logger, Path, meta.PageSize, _freeSpace.PageCount, meta.CheckpointVersion);
            if (recovered.Commits > 0)
            {
                Log.Recovered(Logger, Path, recovered.Commits, recovered.Bytes, (long)System.Diagnostics.Stopwatch.GetElapsedTime(opening).TotalMilliseconds);
            }
            _checkpointer = new Checkpointer(this, _store, _freeSpace, Wal, segments, meta, slot, catalogPages, spiller);
            _checkpointer.Start();
            if (recovered.Commits > 0)
            {
                _checkpointer.Nudge();
            }
        }
        catch
        {
            segments?.Dispose();
            (_store as IDisposable ?? file)?.Dispose();
            _fileLock.Dispose();
            Metrics.Dispose();
            throw;
        }
    }

    /// <summary>Where large transactions' logs spill (null for in-memory databases, which keep them in memory).</summary>
    internal LogSpillPolicy? SpillPolicy { get; }

    /// <summary>What the last open replayed from the log (null for in-memory databases).</summary>
    internal RecoveryResult? Recovered { get; }

    internal DatabaseOptions Options => _options;

    internal int NextKeyspaceId => Volatile.Read(ref _nextKeyspaceId);

    internal Checkpointer? Checkpointer => _checkpointer;

    /// <summary>
    /// How many unwritten nodes a write transaction may hold before it writes its leaves out
    /// (<see cref="Transactions.Checkpointer.SpillLeaves"/>): as many as the page cache holds, so that a transaction
    /// larger than the cache keeps at most about the cache's budget in unwritten pages, beside the cache. Never for
    /// in-memory databases. Recovery's replay holds itself to the same limit. Set by <see cref="DatabaseOptions.SpillLeavesAfter"/>
    /// (tests), and settable for tests after the open.
    /// </summary>
    internal int SpillLeavesAfter { get; set; } = int.MaxValue;

    internal FreeSpaceMap? FreeSpace => _freeSpace;

    internal PageStore? Store => _store;

    /// <summary>
    /// Opens the database file at <paramref name="path"/>, creating it when it does not exist (or is empty), and
    /// recovers every acknowledged commit from the write-ahead log. The log lives in <c>path-wal/</c> and a lock file at
    /// <c>path-lock</c> keeps other processes and other instances out.
    /// </summary>
    /// <exception cref="InvalidOptionsException">An option has a value that cannot work, or <paramref name="path"/> names a folder: it ends in a folder separator, or its last segment is <c>.</c> or <c>..</c> (<see cref="InvalidOptionsException.Option"/> is <c>path</c>).</exception>
    /// <exception cref="StorageException">The file is locked by another owner (<see cref="ErrorCode.DatabaseLocked"/>), cannot be read, or the sync of its directory that makes its name and its log folder's durable fails.</exception>
    /// <exception cref="DatabaseFormatException">The file is not a database, was written by a newer format version or by a pre-release format older than the oldest one read (<see cref="ErrorCode.UnsupportedFormatVersion"/>), or is truncated.</exception>
    /// <exception cref="CorruptionException">Both meta pages, or pages the recovery needs, fail verification.</exception>
    public static Database Open(string path, DatabaseOptions? options = null) => Open(path, options, OsFileSystem.Instance);

    /// <summary>Creates a database that lives only in memory: no files, every commit is <see cref="Durability.None"/>.</summary>
    public static Database OpenInMemory(DatabaseOptions? options = null)
    {
        var copy = (options ?? new DatabaseOptions()).Clone();
        copy.Validate();
        copy.DefaultDurability = Durability.None;
        return new Database(copy);
    }

    internal static Database Open(string path, DatabaseOptions? options, IFileSystem fs)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (NamesFolder(path))
        {
            // The files are named by appending to the path ("-creating", "-wal", "-lock"), so a folder's path would
            // fail later with an error about "data/-creating" (or "..-lock") that names neither the argument nor the fix.
            throw new InvalidOptionsException(
                nameof(path),
                $"The path '{path}' names a folder: the database is one file (beside it, its log folder and lock file), so end the path with a file name, such as '{System.IO.Path.Join(path, "app.db")}'.");
        }

        var copy = (options ?? new DatabaseOptions()).Clone();
        copy.Validate();
        if (copy.DefaultDurability == Durability.None)
        {
            throw new InvalidOptionsException(nameof(DatabaseOptions.DefaultDurability), "Durability.None is only for in-memory databases.");
        }

        return new Database(path, copy, fs);
    }

    /// <summary>
    /// Creates a new database file atomically: the first meta slot (the second stays zeroed, so it fails its checksum
    /// and the first wins) is written to a temporary file, which is synced and then renamed into place (and the directory synced). A crash leaves either no database or a complete one.
    /// </summary>
    private static void Create(IFileSystem fs, string path, DatabaseOptions options)
    {
        var meta = new MetaPage
        {
            PageSize = options.PageSize,
            Sequence = 1,
            CheckpointVersion = 0,
            WalStartLsn = 0,
            WalChainSeed = (uint)RandomNumberGenerator.GetInt32(int.MaxValue),
            WalSegmentSize = options.WalSegmentBytes,
            PageCount = 2,
            CatalogPage = PageId.None,
            NextKeyspaceId = 1,
            BitmapPages = [],
            DatabaseId = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)),
            CreatedUnixMs = options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        var temporary = path + "-creating";
        using (var file = fs.OpenFile(temporary, create: true))
        {
            file.SetLength(0);
            file.Write(0, meta.Encode(PageId.None));
            file.Write(options.PageSize, new byte[options.PageSize]);
            file.Flush();
        }

        fs.RenameFile(temporary, path);
        fs.SyncDirectory(System.IO.Path.GetDirectoryName(path)!);
    }

    /// <summary>
    /// A new database is created only where no log is: the creation renames a complete file into place before its log
    /// directory is made, so segment files beside a missing or empty data file mean the data file was damaged or
    /// deleted, and creating a new one would throw away the commits the log holds.
    /// </summary>
    private static void RefuseLogWithoutData(IFileSystem fs, string path)
    {
        var segments = fs.ListFiles(path + "-wal").Count(n => n.EndsWith(Persistence.Wal.WalSegments.Extension, StringComparison.Ordinal));
        if (segments > 0)
        {
            throw new CorruptionException(
                ErrorCode.Corruption,
                $"'{path}' is {(fs.FileExists(path) ? "empty" : "missing")}, but its log '{path}-wal' holds {segments} segment file(s): the data file was damaged or deleted, and creating a new database would discard the log's commits. Restore the data file from a backup, or delete the log directory to start an empty database.")
            {
                FilePath = path,
            };
        }
    }

    private static bool IsEmpty(IFileSystem fs, string path)
    {
        using var file = fs.OpenFile(path, create: false);
        return file.Length == 0;
    }

    private static (MetaPage, PageId) ReadMeta(IStorageFile file)
    {
        var (first, second) = MetaPage.ReadSlots(file, out var signed);
        var (best, slot) = (first, second) switch
        {
            (null, null) when !signed => throw new DatabaseFormatException(
                ErrorCode.NotADatabase, $"'{file.Path}' is not a Persistence database (no meta page has the Persistence signature)."),
            (null, null) => throw new CorruptionException(ErrorCode.Corruption, $"Both meta pages of '{file.Path}' fail verification.") { FilePath = file.Path },
            (not null, null) => (first, PageId.None),
            (null, not null) => (second, new PageId(1)),
            _ => first!.Sequence >= second!.Sequence ? (first, PageId.None) : (second, new PageId(1)),
        };

        if (file.Length < best!.PageCount * best.PageSize)
        {
            throw new DatabaseFormatException(
                ErrorCode.FileTruncated,
                $"'{file.Path}' is truncated: it is {file.Length} bytes but its checkpoint covers {best.PageCount} pages of {best.PageSize} bytes.");
        }

        return (best, slot);
    }

    /// <summary>
    /// Writes the meta page in <paramref name="slot"/> back as the file holds it, so that the next fdatasync writes it
    /// (or fails) whatever the cache thinks of it. A torn rewrite leaves the slot invalid, and an open then works from
    /// the other slot's checkpoint, which is durable and whose pages nothing has reused yet.
    /// </summary>
    private static void RewriteMeta(IStorageFile file, MetaPage meta, PageId slot)
    {
        var offset = slot.Value * meta.PageSize;
        var page = new byte[meta.PageSize];
        var read = file.Read(offset, page);
        file.Write(offset, page.AsSpan(0, read));
    }

    private (DbVersion, List<PageId>) LoadCheckpoint(MetaPage meta)
    {
        var (records, pages) = CatalogPages.Read(_store!, meta.CatalogPage);
        var catalog = Catalog.Empty;
        var roots = new TreeRoot[records.Count == 0 ? 0 : records.Max(r => r.Id) + 1];
        foreach (var record in records)
        {
            catalog = catalog.With(new Keyspace(this, record.Id, record.Name));
            roots[record.Id] = new TreeRoot(record.Root.IsNone ? null : _store!.Load(record.Root), record.Count);
        }

        var version = new DbVersion(meta.CheckpointVersion, roots, catalog, _options.TimeProvider.GetTimestamp())
        {
            EndLsn = meta.WalStartLsn,
            EndChain = meta.WalChainSeed,
        };
        return (version, pages);
    }
}
