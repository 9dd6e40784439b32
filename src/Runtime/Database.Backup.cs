using Persistence.Storage;

namespace Persistence;

public sealed partial class Database
{
    /// <summary>
    /// Writes a consistent copy of the database to a new database file at <paramref name="path"/>, and makes it durable
    /// before returning. The copy holds exactly what a read transaction begun at the call sees: every keyspace and
    /// entry of that snapshot, nothing committed later. Readers and writers carry on meanwhile.
    /// </summary>
    /// <remarks>
    /// <para>The copy is a database of its own, with its own log in <c>path-wal/</c>: open it with
    /// <see cref="Open(string, DatabaseOptions?)"/> (to restore, open the copy, or a copy of its files, where the
    /// original lived). It is written entry by entry in key order, so it holds no free pages and its leaves are
    /// full, and the pages it reads are checked against their checksums as every read is. An in-memory database can be
    /// backed up to a file this way.</para>
    /// <para>The snapshot stays open until the copy is written, and pages it can reach are not reused meanwhile, as
    /// for any long read transaction: the source's file may grow while a large backup runs under heavy writes.</para>
    /// <para>If anything fails, or the copy is cancelled (<see cref="BackupAsync"/>), the files written so far are
    /// deleted and the source is unchanged. The copy is written as <c>path-incomplete</c> and renamed to
    /// <paramref name="path"/> only once it is complete and synced, so a crash of the process or the machine never
    /// leaves a database at <paramref name="path"/> that holds part of the snapshot; the files of a copy a crash
    /// interrupted keep that name, and a later backup to <paramref name="path"/> refuses until they are deleted.</para>
    /// </remarks>
    /// <param name="path">Where the copy goes: no file may exist there, nor its log or lock file, nor an unfinished copy's <c>path-incomplete</c> files.</param>
    /// <returns>The version of the snapshot copied (<see cref="Transaction.SnapshotVersion"/>).</returns>
    /// <exception cref="InvalidOptionsException"><paramref name="path"/> names a folder (it ends in a folder separator, or its
    /// last segment is <c>.</c> or <c>..</c>), lies in this database's log folder, or is this database's path without
    /// <c>-incomplete</c>, the name the copy is written under (<see cref="InvalidOptionsException.Option"/> is <c>path</c>).</exception>
    /// <exception cref="StorageException">A file already exists at <paramref name="path"/>
    /// (<see cref="ErrorCode.DatabaseExists"/>), or writing the copy failed (for example <see cref="ErrorCode.OutOfSpace"/>).</exception>
    public long Backup(string path) => Backup(path, CancellationToken.None);

    /// <summary>Asynchronous form of <see cref="Backup(string)"/>: the copy runs on the thread pool and stops at <paramref name="cancellationToken"/>.</summary>
    /// <inheritdoc cref="Backup(string)" path="/param[@name='path']"/>
    /// <param name="cancellationToken">Stops the copy: the files written so far are deleted.</param>
    public Task<long> BackupAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path); // at the call; every other failure, a closed database too, in the task
        return Task.Run(() => Backup(path, cancellationToken), cancellationToken);
    }

    /// <summary>How many bytes of keys and values one transaction of a backup copies before it commits (tests lower it).</summary>
    internal int BackupTransactionBytes { get; set; } = 16 << 20;

    private long Backup(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ThrowIfDisposed();
        var fs = _fileSystem ?? OsFileSystem.Instance;
        ThrowIfNotADatabasePath(path, nameof(path), Path is null ? null : System.IO.Path.GetFullPath(Path));
        var target = System.IO.Path.GetFullPath(path);
        ThrowIfTargetExists(fs, target, "back up to");
        using var snapshot = BeginRead();
        var options = new DatabaseOptions
        {
            PageSize = PageSize,
            PageCacheBytes = _options.PageCacheBytes,
            WalSegmentBytes = _walSegments?.SegmentSize ?? _options.WalSegmentBytes,
            CheckpointWalBytes = _options.CheckpointWalBytes,
            DefaultDurability = Durability.Buffered,
            TimeProvider = TimeProvider,
            BackgroundWork = _options.BackgroundWork,
        };
        options.Ttl.RunCollectorInBackground = false;
        WriteNewDatabase(fs, target, options, "back up to", "the backup", copy =>
        {
            Copy(snapshot, copy, cancellationToken);
            copy.RaiseClockFloor(ClockHighWaterTicks); // documents expired here stay expired in the copy, whatever its clock says
        });
        return snapshot.SnapshotVersion;
    }

    private void Copy(ReadTransaction snapshot, Database copy, CancellationToken cancellationToken)
    {
        var transaction = copy.BeginWrite();
        try
        {
            long bytes = 0;
            foreach (var source in snapshot.CurrentCatalog.Keyspaces)
            {
                var keyspace = transaction.CreateKeyspace(source.Name);
                using var cursor = snapshot.OpenCursor(source);
                for (var ok = cursor.First(); ok; ok = cursor.Next())
                {
                    var key = cursor.Key;
                    var value = cursor.Value;
                    transaction.Put(keyspace, key, value);
                    bytes += key.Length + value.Length;
                    if (bytes >= BackupTransactionBytes)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        transaction.Commit();
                        transaction.Dispose();
                        transaction = copy.BeginWrite();
                        bytes = 0;
                    }
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            transaction.Commit();
        }
        finally
        {
            transaction.Dispose();
        }
    }
}
