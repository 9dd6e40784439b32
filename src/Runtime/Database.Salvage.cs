using Persistence.Salvage;
using Persistence.Storage;

namespace Persistence;

public sealed partial class Database
{
    /// <summary>
    /// Gets the data out of a database that <see cref="Open(string, DatabaseOptions?)"/> refuses (with
    /// <see cref="CorruptionException"/>): writes, to a new database at <paramref name="destinationPath"/>, everything
    /// of the database at <paramref name="path"/> that can be proven intact, and reports what that is and what was lost.
    /// The damaged database's files are only read, never changed.
    /// </summary>
    /// <remarks>
    /// <para>The salvage starts from the newest checkpoint whose meta page and catalog verify (the older meta page's,
    /// when the newer fails). Of its trees, it copies every entry whose pages verify as every read does and hold
    /// together as the consistency checker demands; a tree page that fails is skipped with everything under it, and an
    /// entry whose large value's overflow pages fail is skipped whole. Then it replays the log after the checkpoint:
    /// the longest run of commits whose frames all validate, each whole and in order, never part of one. Where that
    /// run ends, it tells damage (a frame written after a sync, intact further on) from the torn end a crash leaves.</para>
    /// <para>The new database is written like a <see cref="Backup(string)"/>: in key order, then checkpointed and
    /// synced before this returns, under <c>destinationPath-incomplete</c> until then (a crash leaves no database at the
    /// destination). It opens normally and passes <see cref="CheckConsistency"/>. Its page size is the
    /// damaged database's; <paramref name="options"/> gives its other settings (cache, segment size, clock). If
    /// anything fails, or <paramref name="cancellationToken"/> stops it, what was written is deleted.</para>
    /// <para>A typed collection keeps its indexes in keyspaces of their own; when some of its keyspaces lost entries,
    /// the report names it in <see cref="SalvageReport.CollectionsToRebuild"/>: open the salvaged database in the
    /// application and call that collection's <c>RepairIndexes()</c>. The salvage takes the damaged database's lock file (<c>path-lock</c>, created if missing,
    /// as every open does) so that no instance writes it meanwhile.</para>
    /// </remarks>
    /// <param name="path">The damaged database's file.</param>
    /// <param name="destinationPath">Where the new database goes: no file may exist there, nor its log or lock file, nor an unfinished salvage's <c>destinationPath-incomplete</c> files.</param>
    /// <param name="options">Settings of the new database (its <see cref="DatabaseOptions.PageSize"/> is the damaged one's, whatever this says).</param>
    /// <param name="cancellationToken">Stops the salvage between transactions of the new database, which is then deleted.</param>
    /// <returns>What was recovered, from where, and what was found damaged and left out.</returns>
    /// <exception cref="InvalidOptionsException"><paramref name="destinationPath"/> names a folder (it ends in a folder
    /// separator, or its last segment is <c>.</c> or <c>..</c>), lies in the damaged database's log folder, or is
    /// <paramref name="path"/> without <c>-incomplete</c>, the name the new database is written under
    /// (<see cref="InvalidOptionsException.Option"/> is <c>destinationPath</c>).</exception>
    /// <exception cref="StorageException">A file already exists at <paramref name="destinationPath"/>
    /// (<see cref="ErrorCode.DatabaseExists"/>), the damaged database is open elsewhere (<see cref="ErrorCode.DatabaseLocked"/>),
    /// or a file cannot be read or written.</exception>
    /// <exception cref="DatabaseFormatException">The file is not a database, or was written by a newer format version or by a pre-release format older than the oldest one read (<see cref="ErrorCode.UnsupportedFormatVersion"/>).</exception>
    /// <exception cref="CorruptionException">No checkpoint can be started from: both meta pages, or the catalogs of
    /// both, fail verification. Nothing is written; restore a backup.</exception>
    public static SalvageReport Salvage(string path, string destinationPath, DatabaseOptions? options = null, CancellationToken cancellationToken = default) =>
        Salvage(path, destinationPath, options, OsFileSystem.Instance, cancellationToken);

    /// <param name="transactionBytes">Bytes of keys and values per transaction of the checkpoint's copy (tests lower it).</param>
    internal static SalvageReport Salvage(string path, string destinationPath, DatabaseOptions? options, IFileSystem fs,
        CancellationToken cancellationToken, long transactionBytes = 16 << 20)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(destinationPath);
        var source = System.IO.Path.GetFullPath(path);
        ThrowIfNotADatabasePath(destinationPath, nameof(destinationPath), source);
        var target = System.IO.Path.GetFullPath(destinationPath);
        var settings = (options ?? new DatabaseOptions()).Clone();
        settings.Validate();
        ThrowIfTargetExists(fs, target, "salvage into"); // the damaged database's own path among them
        var findings = new SalvageFindings();
        using var damaged = DamagedDatabase.Open(fs, source, settings.PageCacheBytes, findings);
        settings.PageSize = damaged.Meta.PageSize;
        settings.PageCacheBytes = Math.Max(settings.PageCacheBytes, 16L * settings.PageSize);
        settings.DefaultDurability = Durability.Buffered; // one sync at the end, by the checkpoint
        settings.Ttl.RunCollectorInBackground = false; // expired documents are copied as entries; the copy's collector removes them later
        SalvageReport? report = null;
        WriteNewDatabase(fs, target, settings, "salvage into", "the salvaged database", copy =>
        {
            report = new Salvager(damaged, findings, transactionBytes, settings.RecoveryHeldLogBytes, cancellationToken).Run(copy);
            copy.RaiseClockFloor(damaged.Meta.ClockHighWaterTicks); // documents expired there stay expired, whatever the clock says
        });
        return report!;
    }
}
