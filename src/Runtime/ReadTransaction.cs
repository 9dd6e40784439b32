using Persistence.BTree;
using Persistence.Transactions;

namespace Persistence;

/// <summary>
/// A read-only snapshot. It never blocks writers or other readers, and what it sees never changes. Keep it short:
/// pages a long-lived snapshot can still reach are not reused until it is disposed.
/// </summary>
/// <remarks>
/// Its reads change nothing of it (only the shared versions, which any number of transactions read at once), so several
/// threads may read one read transaction at once, each with its own cursors. Dispose it only once their reads are done:
/// its pages may be reused from then on.
/// </remarks>
public sealed class ReadTransaction : Transaction
{
    internal ReadTransaction(Database database, DbVersion snapshot, bool timed = true)
        : base(database, snapshot, timed)
    {
    }

    /// <summary>
    /// Makes a transaction that <see cref="Forget"/> emptied active again, untimed, on <paramref name="snapshot"/> of
    /// <paramref name="database"/>: the library's own reads reuse one per thread (<see cref="Database.BeginUntimedRead"/>).
    /// </summary>
    internal void Rearm(Database database, DbVersion snapshot)
    {
        Database = database;
        Snapshot = snapshot;
        _snapshotTime = null;
        _state = Active;
    }

    /// <summary>Drops a disposed transaction's references, so that one kept for reuse holds no database or version alive.</summary>
    internal void Forget()
    {
        Database = null!;
        Snapshot = null!;
    }

    internal override Catalog CurrentCatalog => Snapshot.Catalog;

    internal override TreeRoot CurrentRoot(int keyspaceId) => Snapshot.Root(keyspaceId);

    private protected override void OnDispose(bool wasActive)
    {
        Snapshot.Unpin();
        Database.Store?.Cache.TryRecycleEvicted();
    }
}
