using Persistence.BTree;

namespace Persistence.Transactions;

internal sealed partial class Checkpointer
{
    /// <summary>Leaves that write transactions (and recovery) wrote before their tree was published (<see cref="SpillLeaves"/>).</summary>
    public long PagesSpilled => _spiller.PagesSpilled;

    /// <summary>
    /// Writes unwritten leaves of a write transaction's private trees to reusable pages before the transaction commits
    /// (<see cref="LeafSpiller.Spill"/>), under the checkpoint lock: a checkpoint's view of the durable bitmap and a
    /// truncation's cut never interleave with it. Returns how many of the transaction's nodes stay unwritten.
    /// </summary>
    /// <exception cref="StorageException">
    /// The write failed: the database is read-only from now on, and the transaction fails (<see cref="LeafSpiller.Spill"/>).
    /// </exception>
    public int SpillLeaves(TreeRoot[] roots, object owner, SpilledPages spilled, int keep)
    {
        lock (_run)
        {
            ThrowIfClosed();
            return _spiller.Spill(roots, owner, spilled, keep, Durable.Sequence + 1);
        }
    }

    /// <summary>Makes pages a transaction spilled reusable again (<see cref="LeafSpiller.Return"/>).</summary>
    public void ReturnSpilled(IEnumerable<long> spilled) => _spiller.Return(spilled);
}
