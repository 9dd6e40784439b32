using Persistence.BTree;
using Persistence.Storage;

namespace Persistence.Transactions;

/// <summary>
/// Writes leaves of the tree recovery builds out early, by the rule a large write transaction follows
/// (<see cref="WriteTransaction"/>'s <c>SpillIfLarge</c>): replaying a transaction larger than the page cache that was
/// committed but not checkpointed then holds about the cache's budget of unwritten pages, not the whole transaction.
/// </summary>
/// <remarks>
/// The replayed version adopts the written leaves as a committed transaction's version does: the checkpoint after the
/// open records their pages through the unwritten branches above them (<see cref="NodeFlusher"/>), and a crash before
/// it leaves them free, since no meta page reaches them. So does a write of them that fails: the open throws
/// <see cref="LeafSpiller.Spill"/>'s <see cref="StorageException"/> and changes nothing else, and the next open replays
/// from the same checkpoint. Recovery runs before anything else can read a node, so the buffers of evicted written-out
/// leaves go back to the pool after every replayed operation.
/// </remarks>
/// <param name="spiller">Writes the leaves.</param>
/// <param name="generation">The generation the pages are sealed with: the durable checkpoint's sequence plus one.</param>
/// <param name="limit">How many unwritten nodes the replay may hold (<see cref="Database.SpillLeavesAfter"/>).</param>
internal sealed class RecoverySpill(LeafSpiller spiller, long generation, int limit)
{
    private readonly long _spilledBefore = spiller.PagesSpilled;
    private SpilledPages? _spilled;
    private long _spillBase;
    private int _stillUnwritten;

    /// <summary>Leaves the replay wrote out (some of them written again later, each time counted).</summary>
    public long LeavesWritten => spiller.PagesSpilled - _spilledBefore;

    /// <summary>After each replayed put or delete: writes leaves out once the replay holds <c>limit</c> unwritten nodes.</summary>
    public void AfterWrite(TreeWriter writer, TreeRoot[] roots, object owner, PagePool pool)
    {
        var sinceSpill = writer.NodesCreated - _spillBase;
        if (sinceSpill + _stillUnwritten >= limit && sinceSpill >= limit / 4)
        {
            writer.Freed.Spills = _spilled ??= new SpilledPages();
            _stillUnwritten = spiller.Spill(roots, owner, _spilled, keep: limit / 4 * 3, generation);
            _spillBase = writer.NodesCreated;
        }

        _spilled?.RecycleEvicted(pool);
    }

    /// <summary>
    /// The replayed version is about to be published: its readers may find the written-out leaves from then on, so
    /// evicted ones are no longer recycled, and pages whose leaves the replay copied since go back to the reusable set.
    /// </summary>
    public void Adopt()
    {
        if (_spilled is not { } spilled)
        {
            return;
        }

        spilled.Close();
        spiller.Return(spilled.Replaced);
        spilled.Forget();
    }
}
