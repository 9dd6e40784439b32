using Persistence.BTree;
using Persistence.Storage;

namespace Persistence.Transactions;

/// <summary>
/// Writes a private tree's leaves to reusable pages before the tree is published: a write transaction's large tree
/// before its commit (<see cref="Checkpointer.SpillLeaves"/>, under the checkpoint lock), and the tree recovery builds
/// while it replays the log (<see cref="Recovery"/>, before anything else runs). Counts the pages it wrote.
/// </summary>
internal sealed class LeafSpiller(Database database, PageStore store, FreeSpaceMap freeSpace)
{
    private readonly Database _database = database;
    private readonly PageStore _store = store;
    private readonly FreeSpaceMap _freeSpace = freeSpace;
    private long _pagesSpilled;

    /// <summary>Leaves written out before their tree was published, by transactions and by recovery.</summary>
    public long PagesSpilled => Interlocked.Read(ref _pagesSpilled);

    /// <summary>
    /// Writes unwritten leaves of a write transaction's private trees to reusable pages before the transaction commits,
    /// so that a transaction larger than the page cache does not hold all its pages in memory until the checkpoint
    /// after its commit: the written leaves join the page cache, which evicts them like any clean page. Leaves the
    /// transaction did not touch since the last spill go first (a bulk load's filled leaves); those it did touch
    /// (<see cref="Node.Referenced"/>) stay while the unwritten nodes left number at most <paramref name="keep"/>, the
    /// last in key order first, and get their mark cleared (a second chance, as in CLOCK). Returns how many of the
    /// transaction's nodes stay unwritten.
    /// </summary>
    /// <remarks>
    /// <para>Only nodes the transaction owns are written: its snapshot's unwritten nodes belong to a committed version,
    /// which a checkpoint writes. A written leaf is no longer owned by the transaction, so a later change copies it like
    /// any clean node; its page then goes back to <paramref name="spilled"/> for the next spill
    /// (<see cref="FreedSet.Spills"/>). Branches, roots and leaves holding a large value not yet written stay in
    /// memory.</para>
    /// <para>The pages come from the reusable set, so the page reuse rule holds as for a checkpoint's own pages. No
    /// checkpoint reaches them yet, and a crash leaves them free. If the transaction is adopted by its commit, the
    /// next checkpoint finds them through its unwritten branches and records them as used (<see cref="NodeFlusher"/>).
    /// Otherwise (rolled back, failed, or its log replayed on a newer version) they go back with
    /// <see cref="Return"/>. The caller keeps checkpoints out meanwhile (the checkpoint lock, or recovery's
    /// running alone), so that a checkpoint's view of the durable bitmap and a truncation's cut never interleave with it.</para>
    /// </remarks>
    /// <param name="roots">The transaction's trees.</param>
    /// <param name="owner">The transaction's owner token: only nodes it owns are written.</param>
    /// <param name="spilled">The transaction's spilled pages: replaced ones are written first, every page written is added.</param>
    /// <param name="keep">How many unwritten nodes may stay: touched leaves beyond it are written too.</param>
    /// <param name="generation">The generation the written pages are sealed with: the durable checkpoint's sequence plus one.</param>
    /// <exception cref="StorageException">
    /// Writing the leaves failed (an I/O error, a full disk): the database is read-only from now on, as after any failed
    /// write of the data file, so the tree can no longer be committed: a write transaction fails, recovery's open gives
    /// up. The leaves stay unwritten in the tree, and their pages stay free: no meta page reaches them, and the pages
    /// are in <paramref name="spilled"/> for <see cref="Return"/>.
    /// </exception>
    /// <exception cref="DatabaseReadOnlyException">The database was read-only already.</exception>
    public int Spill(TreeRoot[] roots, object owner, SpilledPages spilled, int keep, long generation)
    {
        _database.ThrowIfReadOnly();
        var leaves = new List<(Node Parent, int Slot, Node Leaf)>();
        var changed = new List<(Node Parent, int Slot, Node Leaf)>();
        var stillUnwritten = 0;
        foreach (var root in roots)
        {
            if (root.Root is { } node && ReferenceEquals(node.Owner, owner))
            {
                stillUnwritten++;
                if (!node.IsLeaf)
                {
                    CollectLeaves(node, owner, leaves, changed, ref stillUnwritten);
                }
            }
        }

        // Touched leaves stay while they fit, the last in key order first (where a load by ascending key appends);
        // the rest are written with the untouched ones. Either way their mark is cleared: a leaf not touched again
        // before the next spill is written then.
        var stay = Math.Clamp(keep - stillUnwritten, 0, changed.Count);
        for (var i = 0; i < changed.Count; i++)
        {
            changed[i].Leaf.Referenced = false;
            if (i < changed.Count - stay)
            {
                leaves.Add(changed[i]);
            }
        }

        stillUnwritten += stay;

        if (leaves.Count == 0)
        {
            return stillUnwritten;
        }

        var ids = new PageId[leaves.Count];
        var pages = new List<(PageId, ReadOnlyMemory<byte>)>(leaves.Count);
        for (var i = 0; i < leaves.Count; i++)
        {
            if (spilled.Replaced.Count > 0)
            {
                ids[i] = new PageId(spilled.Replaced[^1]);
                spilled.Replaced.RemoveAt(spilled.Replaced.Count - 1);
            }
            else
            {
                ids[i] = _freeSpace.Allocate(1).Start;
            }

            spilled.InTree.Add(ids[i].Value);
            var page = leaves[i].Leaf.Page;
            PageHeader.Seal(page, ids[i], generation);
            pages.Add((ids[i], page));
        }

        try
        {
            _store.WritePages(pages);
        }
        catch (Exception ex)
        {
            // As for every failed write to the data file, the database turns read-only. A file system's own exception (a
            // power failure, say) reaches the caller as a StorageException, like the operating system's errors.
            var failure = ex is IOException or UnauthorizedAccessException ? StorageErrors.Wrap(ex, "write", _store.Path) : ex;
            _database.MakeReadOnly(failure);
            if (ReferenceEquals(failure, ex))
            {
                throw;
            }

            throw failure;
        }

        for (var i = 0; i < leaves.Count; i++)
        {
            var (parent, slot, leaf) = leaves[i];
            leaf.Owner = spilled; // immutable from now on (the transaction copies it to change it); see SpilledPages
            leaf.MarkWritten(ids[i]);
            leaf.MarkShared(); // never recycled by the cache's own rule: only through SpilledPages, while the transaction runs
            BranchPage.SetChild(parent.Page, slot, ids[i]);
            Volatile.Write(ref parent.Children![slot], null);
            _store.Cache.Add(leaf);
        }

        Interlocked.Add(ref _pagesSpilled, leaves.Count);
        return stillUnwritten;
    }

    /// <summary>
    /// Makes pages a transaction spilled reusable again, when no version reaches them: all of them when the
    /// transaction was not adopted, the replaced ones when it was. Drops them from the page cache first.
    /// </summary>
    public void Return(IEnumerable<long> spilled)
    {
        var extents = new List<Extent>();
        foreach (var page in spilled)
        {
            var id = new PageId(page);
            if (_store.Cache.TryGet(id, out var node))
            {
                _store.Cache.Remove(node);
            }

            extents.Add(new Extent(id, 1));
        }

        _freeSpace.MakeReusable(extents);
    }

    private static void CollectLeaves(
        Node branch, object owner, List<(Node, int, Node)> leaves, List<(Node, int, Node)> changed, ref int stillUnwritten)
    {
        for (var i = 0; i < branch.Count; i++)
        {
            if (branch.ChildAt(i) is not { } child || !ReferenceEquals(child.Owner, owner))
            {
                continue;
            }

            if (!child.IsLeaf)
            {
                stillUnwritten++;
                CollectLeaves(child, owner, leaves, changed, ref stillUnwritten);
            }
            else if (HasUnwrittenLargeValue(child))
            {
                stillUnwritten++;
            }
            else
            {
                (child.Referenced ? changed : leaves).Add((branch, i, child));
            }
        }
    }

    private static bool HasUnwrittenLargeValue(Node leaf)
    {
        for (var i = 0; i < leaf.Count; i++)
        {
            if (LeafPage.IsOverflow(leaf.Page, i) && LeafPage.Overflow(leaf.Page, i).FirstPage.IsNone)
            {
                return true;
            }
        }

        return false;
    }
}
