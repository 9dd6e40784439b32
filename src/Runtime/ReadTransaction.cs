using Persistence.BTree;
using Persistence.Transactions;

namespace Persistence;

/// <summary>
/// A read-only snapshot. It never blocks writers or other readers, and what it sees never changes. Keep it short:
/// pages a long-lived snapshot can still reach are not reused until it is disposed.
/// </summary>
public sealed class ReadTransaction : Transaction
{
    internal ReadTransaction(Database database, DbVersion snapshot, bool timed = true)
        : base(database, snapshot, timed)
    {
    }

    internal override Catalog CurrentCatalog => Snapshot.Catalog;

    internal override TreeRoot CurrentRoot(int keyspaceId) => Snapshot.Root(keyspaceId);

    private protected override void OnDispose(bool wasActive)
    {
        Snapshot.Unpin();
        Database.Store?.Cache.TryRecycleEvicted();
    }
}
