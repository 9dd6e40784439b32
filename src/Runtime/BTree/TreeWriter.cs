using Persistence.Storage;

namespace Persistence.BTree;

/// <summary>
/// Changes trees copy-on-write on behalf of one writer. Nodes owned by the writer's token are changed in place; any
/// other node on the path is copied first (and the original recorded in <see cref="Freed"/>). A writer is used by one
/// thread at a time.
/// </summary>
internal sealed partial class TreeWriter
{
    private readonly INodeSource _source;

    /// <param name="reachableFrom">
    /// The number of the first version that may hold the nodes this writer makes: one past the version it writes on (0
    /// when unknown, which keeps their buffers from being recycled before every older version retires).
    /// </param>
    public TreeWriter(object owner, INodeSource source, FreedSet freed, long reachableFrom = 0)
    {
        Owner = owner;
        _source = source;
        Freed = freed;
        Limits = new TreeLimits(source.PageSize);
        ReachableFrom = reachableFrom;
    }

    public object Owner { get; }

    /// <summary>The <see cref="Node.ReachableFrom"/> of every node this writer makes.</summary>
    public long ReachableFrom { get; }

    public FreedSet Freed { get; }

    public TreeLimits Limits { get; }

    /// <summary>
    /// Pages this writer made dirty: clean (written) nodes it copied, and new nodes from splits. Copying a node that
    /// is already dirty replaces one unwritten page with another, so it does not count: the total estimates the
    /// distinct pages the next checkpoint writes.
    /// </summary>
    public int NodesCreated { get; private set; }

    /// <summary>Nodes this writer copied (copy-on-write), whatever their state.</summary>
    public int Copies { get; private set; }

    private int PageSize => Limits.PageSize;

    /// <summary>Nodes this writer has allocated: copies and new nodes.</summary>
    private int _allocated;

    /// <summary>
    /// True once this writer has allocated many nodes: a large transaction, whose new pages live until the checkpoint
    /// after it (<see cref="Node.NewPage"/>). A small commit's new pages are mostly superseded by the next commit's.
    /// </summary>
    private bool LongLived => _allocated >= 32;

    // Set by TryAdd for the one descent it makes: a key found is left as it is, and where it lies is reported.
    private bool _addOnly;
    private Node? _foundLeaf;
    private int _foundSlot;

    /// <summary>
    /// Inserts <paramref name="key"/> unless it is present, in one descent. Returns false, with the leaf and slot that
    /// hold the key, when it was present: the tree then holds the same keys and values as before (though branches on
    /// the path may have been copied; a leaf found holding the key is not).
    /// </summary>
    public bool TryAdd(ref TreeRoot tree, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, out Node? leaf, out int slot)
    {
        _addOnly = true;
        try
        {
            var added = Put(ref tree, key, value);
            (leaf, slot) = added ? (null, -1) : (_foundLeaf, _foundSlot);
            return added;
        }
        finally
        {
            _addOnly = false;
            _foundLeaf = null;
        }
    }

    /// <summary>Inserts or replaces <paramref name="key"/>. Returns true when the key was not present before.</summary>
    public bool Put(ref TreeRoot tree, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var cell = NewCell.For(value, Limits);
        if (tree.Root is null)
        {
            var leaf = NewNode(PageType.Leaf, 0);
            InsertCell(leaf, 0, key, cell, value);
            tree = new TreeRoot(leaf, 1);
            return true;
        }

        var root = Writable(tree.Root);
        var split = InsertInto(root, key, cell, value, rightmost: true, out var added);
        if (split is { } s)
        {
            var newRoot = NewNode(PageType.Branch, root.Level + 1);
            BranchPage.Insert(newRoot.Page, 0, [], PageId.None);
            newRoot.InsertChildSlot(0, root);
            BranchPage.Insert(newRoot.Page, 1, s.Separator, PageId.None);
            newRoot.InsertChildSlot(1, s.Right);
            root = newRoot;
        }

        tree = new TreeRoot(root, tree.Count + (added ? 1 : 0));
        return added;
    }

    /// <summary>A new, empty node owned by this writer.</summary>
    private Node NewNode(PageType type, int level)
    {
        var node = Node.Create(_source.Pages, type, level, Owner, LongLived, ReachableFrom);
        _allocated++;
        return node;
    }

    /// <summary>A node this writer may change: the node itself when owned, otherwise a copy (the original is freed).</summary>
    private Node Writable(Node node)
    {
        if (ReferenceEquals(node.Owner, Owner))
        {
            node.Referenced = true; // touched since the last spill: worth keeping in memory (see Checkpointer.SpillLeaves)
            return node;
        }

        Freed.Free(node);
        Copies++;
        if (!node.PageId.IsNone)
        {
            NodesCreated++;
        }

        var copy = node.CloneFor(Owner, LongLived, _source.Pages, ReachableFrom);
        copy.Referenced = true;
        _allocated++;
        return copy;
    }

    /// <summary>Makes the child at <paramref name="slot"/> of the writable branch writable and links it in memory.</summary>
    private Node WritableChild(Node branch, int slot)
    {
        var child = TreeReader.Child(branch, slot, _source);
        var writable = Writable(child);
        if (!ReferenceEquals(writable, child) || branch.ChildAt(slot) is null)
        {
            branch.SetChild(slot, writable, _source.Pages);
            BranchPage.SetChild(branch.Page, slot, PageId.None);
        }

        return writable;
    }

    /// <summary>
    /// Inserts into the writable <paramref name="node"/>'s subtree; returns the split the node underwent, if any.
    /// <paramref name="rightmost"/> says the node is the last at its level (appends to it split unevenly).
    /// </summary>
    private Split? InsertInto(Node node, ReadOnlySpan<byte> key, NewCell cell, ReadOnlySpan<byte> value, bool rightmost, out bool added)
    {
        if (node.IsLeaf)
        {
            var slot = FindForInsert(node, key, out var found);
            added = !found;
            if (found)
            {
                if (_addOnly)
                {
                    (_foundLeaf, _foundSlot) = (node, slot);
                    return null;
                }

                RemoveLeafCell(node, slot);
            }

            if (SlottedPage.Fits(node.Page, cell.Size(key.Length)))
            {
                InsertCell(node, slot, key, cell, value);
                if (added)
                {
                    node.NoteInsert(slot);
                }

                return null;
            }

            // A run of keys arriving in order at this point (an index entry per new document of one Age, ascending)
            // leaves the split's other side full: a balanced split would leave it half empty for good.
            return SplitLeaf(node, slot, key, cell, value, rightmost, added ? node.RunAt(slot) : 0);
        }

        var childSlot = FindChildForInsert(node, key, rightmost);
        var spread = false;
        if (node.Level == 1)
        {
            var leaf = TreeReader.Child(node, childSlot, _source);

            // The leaf is this insert's likely cache miss (a random index key, say), and its own binary search would
            // take the misses one after another: ask for the whole page at once (the lines the insert then moves too).
            // Not for a leaf taking a run of ascending keys (new documents' ids, one Age's index entries): the writer
            // put its previous key there, likely recently, and the run's hint finds the slot in two comparisons, so the
            // whole page would mostly bring lines the insert does not read.
            if (leaf.InsertRun < 2)
            {
                Prefetch.Lines(leaf.Page);
            }
            if (_addOnly && !ReferenceEquals(leaf.Owner, Owner))
            {
                // A key that is present is reported from the shared leaf as it is: copying it would only make a page
                // to write (an import that skips the documents it already holds would copy the whole tree).
                var at = leaf.FindInLeaf(key, Owner, out var present);
                if (present)
                {
                    (_foundLeaf, _foundSlot) = (leaf, at);
                    added = false;
                    return null;
                }
            }

            if (!SlottedPage.Fits(leaf.Page, cell.Size(key.Length)))
            {
                switch (TryShiftToNeighbour(node, childSlot, leaf, key, cell, rightmost && childSlot == node.Count - 1))
                {
                    case Shift.Done:
                        childSlot = BranchPage.FindChild(node.Page, key);
                        break;
                    case Shift.NoRoom:
                        spread = true;
                        break;
                }
            }
        }

        var child = WritableChild(node, childSlot);
        var childIsRightmost = rightmost && childSlot == node.Count - 1;
        if (InsertInto(child, key, cell, value, childIsRightmost, out added) is not { } split)
        {
            return null;
        }

        if (SlottedPage.Fits(node.Page, BranchPage.CellSize(split.Separator.Length)))
        {
            BranchPage.Insert(node.Page, childSlot + 1, split.Separator, PageId.None);
            node.InsertChildSlot(childSlot + 1, split.Right);
            if (spread)
            {
                SpreadSplit(node, childSlot);
            }

            return null;
        }

        return SplitBranch(node, childSlot + 1, split, rightmost);
    }

    /// <summary>
    /// <see cref="BranchPage.FindChild(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>, first trying the last child of a
    /// branch that is the last at its level: a key past its last separator (keys arriving in ascending order, as new
    /// documents' ids do) takes one comparison per level instead of a binary search.
    /// </summary>
    private static int FindChildForInsert(Node branch, ReadOnlySpan<byte> key, bool rightmost)
    {
        var page = branch.Page;
        var last = SlottedPage.Count(page) - 1;
        if (rightmost && last >= 1 && KeyComparer.Compare(BranchPage.Key(page, last), key) <= 0)
        {
            return last;
        }

        return BranchPage.FindChild(page, key);
    }

    /// <summary>
    /// <see cref="LeafPage.Find(ReadOnlySpan{byte}, ReadOnlySpan{byte}, out bool)"/>, first trying the slot after the last
    /// insert when the leaf is taking a run of ascending keys (the index entries of one Age, new documents one after
    /// another): two comparisons instead of a binary search.
    /// </summary>
    private static int FindForInsert(Node leaf, ReadOnlySpan<byte> key, out bool found)
    {
        var page = leaf.Page;
        if (leaf.InsertRun >= 2)
        {
            var next = leaf.LastInsert + 1;
            var count = SlottedPage.Count(page);
            if (next >= 1 && next <= count && KeyComparer.Compare(LeafPage.Key(page, next - 1), key) < 0
                && (next == count || KeyComparer.Compare(key, LeafPage.Key(page, next)) < 0))
            {
                found = false;
                return next;
            }
        }

        return LeafPage.Find(page, key, out found);
    }

    private void InsertCell(Node leaf, int slot, ReadOnlySpan<byte> key, NewCell cell, ReadOnlySpan<byte> value)
    {
        if (!cell.IsLarge)
        {
            LeafPage.InsertInline(leaf.Page, slot, key, value);
            return;
        }

        leaf.Large ??= [];
        leaf.Large.Add(new LargeValue(value.ToArray()));
        LeafPage.InsertOverflow(leaf.Page, slot, key, new OverflowRef(PageId.None, value.Length, leaf.Large.Count - 1));
    }

    /// <summary>Removes a leaf cell, freeing its overflow extent if it has one.</summary>
    private void RemoveLeafCell(Node leaf, int slot)
    {
        if (LeafPage.IsOverflow(leaf.Page, slot))
        {
            Freed.FreeLarge(leaf, LeafPage.Overflow(leaf.Page, slot), PageSize);
        }

        SlottedPage.Remove(leaf.Page, slot);
    }

    /// <summary>A cell about to be inserted: inline, or a reference to a new large value.</summary>
    private readonly record struct NewCell(bool IsLarge, int ValueLength)
    {
        public static NewCell For(ReadOnlySpan<byte> value, TreeLimits limits) =>
            new(value.Length > limits.MaxInlineValue, value.Length);

        public int Size(int keyLength) =>
            IsLarge ? LeafPage.OverflowCellSize(keyLength) : LeafPage.CellSize(keyLength, ValueLength);
    }

    /// <summary>The result of splitting a node: the new right sibling and the separator that leads to it.</summary>
    private readonly record struct Split(byte[] Separator, Node Right);
}
