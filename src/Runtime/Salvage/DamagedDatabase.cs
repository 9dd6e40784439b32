using Persistence.Storage;
using Persistence.Wal;

namespace Persistence.Salvage;

/// <summary>
/// A database the engine refuses, opened for salvage: its lock taken (no instance may write it meanwhile), its data file
/// and log segments opened read-only, and the checkpoint to start from chosen: the newest whose meta page and catalog
/// verify. Nothing here writes to its files.
/// </summary>
internal sealed class DamagedDatabase : IDisposable
{
    private readonly IDisposable _lock;

    private DamagedDatabase(IDisposable fileLock, string path, PageStore store, MetaPage meta, List<CatalogRecord> catalog, bool usedOlderMeta, WalSegments log)
    {
        _lock = fileLock;
        Path = path;
        Store = store;
        Meta = meta;
        Catalog = catalog;
        UsedOlderMetaPage = usedOlderMeta;
        Log = log;
    }

    public string Path { get; }

    /// <summary>The data file's pages, read and verified against <see cref="Meta"/>'s generation.</summary>
    public PageStore Store { get; }

    /// <summary>The checkpoint the salvage starts from.</summary>
    public MetaPage Meta { get; }

    /// <summary>The checkpoint's keyspaces, as its catalog pages (all verified) list them.</summary>
    public IReadOnlyList<CatalogRecord> Catalog { get; }

    /// <summary>The other meta page failed verification, or held a newer checkpoint whose catalog did.</summary>
    public bool UsedOlderMetaPage { get; }

    /// <summary>The log's segments, read-only.</summary>
    public WalSegments Log { get; }

    /// <summary>
    /// Opens <paramref name="path"/> for salvage. Throws <see cref="DatabaseFormatException"/> when the file is not a
    /// database (or of a newer format), and <see cref="CorruptionException"/> when no checkpoint can be started from:
    /// neither meta page verifies, or neither valid one's catalog does.
    /// </summary>
    public static DamagedDatabase Open(IFileSystem fs, string path, long cacheBytes, SalvageFindings findings)
    {
        var fileLock = fs.LockFile(path + "-lock");
        IStorageFile? file = null;
        try
        {
            file = fs.OpenRead(path);
            var (first, second) = MetaPage.ReadSlots(file, out var signed);
            if (first is null && second is null)
            {
                throw signed
                    ? new CorruptionException(ErrorCode.Corruption, $"Both meta pages of '{path}' fail verification: there is no checkpoint to salvage from. Restore a backup.") { FilePath = path }
                    : new DatabaseFormatException(ErrorCode.NotADatabase, $"'{path}' is not a Persistence database (no meta page has the Persistence signature).");
            }

            var usedOlder = false;
            var slots = new[] { first, second };
            for (var slot = 0; slot < 2; slot++)
            {
                if (slots[slot] is null && (slot == 0 || WasWritten(file, first!.PageSize)))
                {
                    // A database that never checkpointed has a zeroed page 1: that is no damage. Anything else is a meta
                    // page damaged, or torn while a checkpoint wrote it; the newer checkpoint it may have held is lost.
                    findings.Add($"Meta page {slot} fails verification (damaged, or torn by a crash while a checkpoint wrote it); the salvage starts from the other one. Commits of a newer checkpoint it may have held are recovered from the log as far as the log since the older checkpoint is whole.");
                    usedOlder = true;
                }
            }

            foreach (var meta in slots.OfType<MetaPage>().OrderByDescending(m => m.Sequence))
            {
                var store = new PageStore(file, meta.PageSize, cacheBytes, static _ => { }) { NewestGeneration = meta.Sequence + 1 };
                try
                {
                    var (catalog, _) = CatalogPages.Read(store, meta.CatalogPage);
                    if (file.Length < meta.PageCount * meta.PageSize)
                    {
                        findings.Add($"'{path}' is truncated: it is {file.Length} bytes, but checkpoint {meta.Sequence} covers {meta.PageCount} pages of {meta.PageSize} bytes; the pages past its end are skipped as unreadable.");
                    }

                    var log = WalSegments.OpenReadOnly(fs, path + "-wal", meta.WalSegmentSize);
                    return new DamagedDatabase(fileLock, path, store, meta, catalog, usedOlder, log);
                }
                catch (PersistenceException ex) when (ex is CorruptionException or StorageException { Code: ErrorCode.IOError })
                {
                    findings.Add($"The catalog of checkpoint {meta.Sequence} (meta page {(ReferenceEquals(meta, first) ? 0 : 1)}) cannot be read: {ex.Message}");
                    usedOlder = true;
                }
            }

            throw new CorruptionException(ErrorCode.Corruption, $"No checkpoint of '{path}' can be salvaged from: the catalog of every valid meta page fails verification. Restore a backup.")
            {
                FilePath = path,
            };
        }
        catch
        {
            file?.Dispose();
            fileLock.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Log.Dispose();
        Store.Dispose(); // closes the data file
        _lock.Dispose();
    }

    /// <summary>Whether meta page 1, at <paramref name="pageSize"/>, holds anything but zeros.</summary>
    private static bool WasWritten(IStorageFile file, int pageSize)
    {
        var page = new byte[pageSize];
        var read = file.Read(pageSize, page);
        return page.AsSpan(0, read).ContainsAnyExcept((byte)0);
    }
}
