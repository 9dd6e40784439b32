using Persistence.Storage;

namespace Persistence.BTree;

/// <summary>
/// A B+tree node: a page image in the on-disk format, plus the in-memory references a node needs before a checkpoint
/// has written its children and large values.
/// </summary>
/// <remarks>
/// <para>Nodes are copy-on-write. A node whose <see cref="Owner"/> is a writer's token may be changed in place by that
/// writer only; every other node is immutable, with exactly two exceptions, both made by the checkpointer under
/// <c>lock(node)</c> and both invisible to readers: it stamps the header and checksum of a node it writes, and in a
/// branch it records a written child's page number in the cell and then clears <see cref="Children"/>[i]
/// ("unswizzling", which lets the child be evicted). Readers look at <see cref="Children"/>[i] first and fall back to
/// the page number, and the page number is always stored before the reference is cleared.</para>
/// <para>A node read from disk has <see cref="PageId"/> set and no in-memory references.</para>
/// </remarks>
internal sealed class Node
{
    private long _pageId;
    private volatile bool _referenced;
    private Node? _cachedBy;
    private int _cachedSlot;
    private volatile bool _shared;
    private volatile bool _evicted;
    private volatile bool _childrenCopied;
    private ulong[]? _heads;
    private ulong[]? _inheritedHeads;
    private int _searches;
    private readonly bool _isLeaf;

    /// <summary>
    /// The writer argument of a search that cannot tell which nodes are still writable: it uses key heads already
    /// built (only immutable nodes have them) and builds none.
    /// </summary>
    public static readonly object UnknownWriter = new();

    public Node(byte[] page, PageId pageId)
    {
        Page = page;
        _pageId = pageId.Value;
        _isLeaf = PageHeader.GetType(page) == PageType.Leaf;
    }

    /// <summary>The page image. Its header's checksum, page id and generation are valid only once written.</summary>
    public byte[] Page { get; }

    private Node?[]? _children;

    /// <summary>Branches: the in-memory child of each slot (null: load the child by the page number in the cell).</summary>
    public Node?[]? Children
    {
        get => Volatile.Read(ref _children);
        set => Volatile.Write(ref _children, value);
    }

    /// <summary>Leaves: large values referenced by handle from overflow cells that have no extent yet.</summary>
    public List<LargeValue>? Large { get; set; }

    /// <summary>
    /// The writer allowed to change this node in place. Once a version that reaches the node is published, nobody
    /// changes it, whoever the owner (see <see cref="HeadsFor"/>). Replaced only when a large transaction writes the
    /// leaf out before its commit (<see cref="Transactions.Checkpointer.SpillLeaves"/>): it becomes the transaction's
    /// <see cref="SpilledPages"/>, no writer's token, so the transaction copies it to change it.
    /// </summary>
    public object? Owner { get; set; }

    /// <summary>
    /// The oldest version that can reach this node: versions before it were sequenced before the node was made. A
    /// lower bound; 0 (every version) for nodes read from disk or made outside a commit. Once the commit that replaced
    /// the node is visible and no version from this one up to that commit's predecessor is pinned, nothing can reach
    /// the node any more (<see cref="Transactions.VersionChain"/>).
    /// </summary>
    /// <remarks>
    /// One case reaches a node from a version before this one: a commit that replays in place on the previous commit's
    /// unclaimed nodes (<see cref="Transactions.CommitSequencer"/>) links its new nodes into nodes that the previous
    /// version also reaches. That is safe only because such a previous version can never be pinned: a batch publishes
    /// only its last version, and a checkpoint that chose one seals it first. Pinning an unpublished version would make
    /// these bounds too high.
    /// </remarks>
    public long ReachableFrom { get; init; }

    /// <summary>Where the node lives on disk, or <see cref="PageId.None"/> while it exists only in memory.</summary>
    public PageId PageId => new(Volatile.Read(ref _pageId));

    /// <summary>
    /// Whether the page is a leaf, read from the page when the node is made (a node's type never changes): a descent asks
    /// every node, and the page's header is otherwise a cache line it would not touch.
    /// </summary>
    public bool IsLeaf => _isLeaf;

    public int Count => PageHeader.GetCount(Page);

    public int Level => PageHeader.GetLevel(Page);

    /// <summary>
    /// Set when the node was handed to the <see cref="PagePool"/> (its page buffer, and an unwritten branch's child
    /// array, may be reused): the node must never be read again.
    /// </summary>
    public bool Recycled { get; set; }

    /// <summary>Leaves, in memory only: the slot of the last new key inserted (-1: none yet).</summary>
    public int LastInsert { get; private set; } = -1;

    /// <summary>
    /// Leaves, in memory only: how many new keys in a row went in right after (positive) or right before (negative) the
    /// one before them. A run says keys arrive in order at this point of the tree, so a split there should leave the
    /// side they move away from full (<see cref="TreeWriter"/>).
    /// </summary>
    public int InsertRun { get; private set; }

    /// <summary>
    /// 1 when a new key at <paramref name="slot"/> continues an ascending run of two or more (it goes right after the
    /// last one), -1 when it continues a descending run (right before it), 0 otherwise.
    /// </summary>
    public int RunAt(int slot) =>
        InsertRun >= 2 && slot == LastInsert + 1 ? 1
        : InsertRun <= -2 && slot == LastInsert ? -1
        : 0;

    /// <summary>Records a new key inserted at <paramref name="slot"/> (see <see cref="InsertRun"/>).</summary>
    public void NoteInsert(int slot)
    {
        InsertRun = slot == LastInsert + 1 ? Math.Max(InsertRun, 0) + 1
            : slot == LastInsert ? Math.Min(InsertRun, 0) - 1
            : 0;
        LastInsert = slot;
    }

    /// <summary>Sets the insertion history a split hands on to one of its halves.</summary>
    public void SetInsertHistory(int lastInsert, int run)
    {
        LastInsert = lastInsert;
        InsertRun = run;
    }

    /// <summary>
    /// The page cache's recently-used bit (CLOCK). On an unwritten node of a write transaction's private tree, which
    /// the cache never holds, it says the transaction touched the node (changed it, or read through it) since its
    /// last spill instead (<see cref="Transactions.Checkpointer.SpillLeaves"/>).
    /// </summary>
    public bool Referenced
    {
        get => _referenced;
        set => _referenced = value;
    }

    /// <summary>The node's slot in the page cache's CLOCK ring, or -1; read and written only under the cache's lock.</summary>
    public int CacheSlot { get; set; } = -1;

    public static Node Create(PagePool pages, PageType type, int level, object owner, bool longLived, long reachableFrom)
    {
        var page = pages.Rent(zeroed: true, longLived);
        PageHeader.Initialize(page, type, level);
        return new Node(page, PageId.None) { Owner = owner, ReachableFrom = reachableFrom };
    }

    public void MarkWritten(PageId id) => Volatile.Write(ref _pageId, id.Value);

    /// <summary>
    /// Remembers <paramref name="child"/>, just loaded by page number, in this written (immutable) branch, so later
    /// descents skip the page cache's lookup. The child records this branch, so that evicting the child from the page
    /// cache can drop the reference again (<see cref="Unlink"/>). Safe with concurrent readers: it is only a cache, and the
    /// cell's page number stays authoritative.
    /// </summary>
    /// <remarks>
    /// A child is cached by one branch at a time: the same page reached from another version's branch moves there, and
    /// its old branch forgets it. Under <c>lock(child)</c>, which <see cref="MarkEvicted"/> and <see cref="Unlink"/> take
    /// too. A child moved out of a branch whose children were copied (<see cref="CloneFor"/>; the unlink comes first, and
    /// the copy sets its flag before it reads the array, each with a full fence after, so one sees the other) may still
    /// be held by the copy, and a child linked after its eviction (a reader found it just before) by this branch: either
    /// is marked <see cref="Shared"/>.
    /// </remarks>
    public void CacheChild(int slot, Node child)
    {
        var children = Children;
        if (children is null)
        {
            children = new Node?[Count];
            children = Interlocked.CompareExchange(ref _children, children, null) ?? children;
        }

        lock (child)
        {
            if (child._cachedBy is { } previous && !ReferenceEquals(previous, this))
            {
                child.UnlinkFrom(previous);
                Interlocked.MemoryBarrier();
                if (previous._childrenCopied)
                {
                    child._shared = true;
                }
            }

            child._cachedBy = this;
            child._cachedSlot = slot;
            Volatile.Write(ref children[slot], child);
            if (child._evicted)
            {
                child._shared = true;
            }
        }
    }

    /// <summary>Drops the reference the branch that cached this node holds (when the page cache evicts or removes it).</summary>
    public void Unlink()
    {
        lock (this)
        {
            // The branch stays recorded: it is where the node was unlinked from (see RecyclableAfterEviction). A later
            // CacheChild moves the node as usual, and finds it evicted.
            if (_cachedBy is { } by)
            {
                UnlinkFrom(by);
            }
        }
    }

    private void UnlinkFrom(Node branch)
    {
        if (branch.Children is { } children && (uint)_cachedSlot < (uint)children.Length)
        {
            Interlocked.CompareExchange(ref children[_cachedSlot], null, this);
        }
    }

    /// <summary>
    /// Whether something the page cache cannot unlink may reference this written node: a version's root, a writable
    /// branch's child array, a copy of a branch it moved out of, a link made after its eviction, or (for a node a
    /// checkpoint wrote) the unwritten branches it was made in. When the cache evicts such a node its buffer is left to
    /// the garbage collector, never recycled (<see cref="PageCache"/>).
    /// </summary>
    public bool Shared => _shared;

    /// <summary>Marks the node <see cref="Shared"/>.</summary>
    public void MarkShared() => _shared = true;

    /// <summary>Set by the page cache when it evicts this node, before it unlinks it.</summary>
    public bool Evicted => _evicted;

    /// <summary>Marks the node evicted (see <see cref="CacheChild"/>).</summary>
    public void MarkEvicted()
    {
        lock (this)
        {
            _evicted = true;
        }
    }

    /// <summary>
    /// Whether this evicted node's buffer may be recycled once nothing that could have found it before its eviction is
    /// still running (the page cache decides when): it was not <see cref="Shared"/>, and the branch it was unlinked from
    /// never had its children copied into a writable branch (<see cref="CloneFor"/>), which would keep a reference.
    /// </summary>
    public bool RecyclableAfterEviction => _evicted && !_shared && _cachedBy is not { _childrenCopied: true };

    /// <summary>The in-memory child at <paramref name="slot"/>, if any.</summary>
    public Node? ChildAt(int slot)
    {
        var children = Children;
        return children is null ? null : Volatile.Read(ref children[slot]);
    }

    /// <summary>
    /// Branches: the slot whose child covers <paramref name="key"/>, as <see cref="BranchPage.FindChild(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>. Pass the
    /// searching writer's token, or null for a reader: a node that writer may still change is searched in its page.
    /// </summary>
    public int FindChild(ReadOnlySpan<byte> key, object? writer)
    {
        if (HeadsFor(writer) is not { } heads)
        {
            return BranchPage.FindChild(Page, key);
        }

        var (low, end) = KeyHeads.Narrow(heads, 1, key);
        return BranchPage.FindChild(Page, key, low, end);
    }

    /// <summary>Leaves: the slot of <paramref name="key"/> or where it would go, as <see cref="LeafPage.Find(ReadOnlySpan{byte}, ReadOnlySpan{byte}, out bool)"/>; <paramref name="writer"/> as in <see cref="FindChild"/>.</summary>
    public int FindInLeaf(ReadOnlySpan<byte> key, object? writer, out bool found)
    {
        if (HeadsFor(writer) is not { } heads)
        {
            return LeafPage.Find(Page, key, out found);
        }

        // A leaf is the search's likely cache miss: ask for its heads and its slots at once, instead of one line after
        // another as the binary search would.
        var count = Math.Min(heads.Length - KeyHeads.Header, MaxPrefetchedHeads);
        Prefetch.Lines(heads, 0, KeyHeads.Header + count);
        Prefetch.Lines(Page, 0, Storage.PageHeader.Size + (count * SlottedPage.SlotSize));

        var (low, end) = KeyHeads.Narrow(heads, 0, key);
        return LeafPage.Find(Page, key, low, end, out found);
    }

    /// <summary>The key heads searches use, if built yet (tests).</summary>
    internal ulong[]? KeyHeadsArray => Volatile.Read(ref _heads);

    /// <summary>True once searches go through key heads (tests).</summary>
    internal bool HasKeyHeads => KeyHeadsArray is not null;

    private const int SearchesBeforeHeads = 3;

    /// <summary>The most heads (and slots) a leaf search prefetches: 32 cache lines of heads.</summary>
    private const int MaxPrefetchedHeads = 256;

    // A node not written yet is a recent copy: its page is likely still in the processor's cache, where heads save
    // little, and under a stream of commits the next copy replaces it soon, so heads for it are mostly garbage.
    private const int UnwrittenSearchesBeforeHeads = 32;

    /// <summary>
    /// The key heads of an immutable node (<see cref="KeyHeads"/>), built on its third search (its 32nd while it is
    /// unwritten), so that nodes searched a few times (a commit's short-lived copies) never pay for them. Null for a
    /// node <paramref name="writer"/> may change, and for leaves of many small keys, whose heads would cost more than a
    /// quarter of the page in memory.
    /// </summary>
    private ulong[]? HeadsFor(object? writer)
    {
        var heads = Volatile.Read(ref _heads);
        if (heads is not null || ReferenceEquals(writer, UnknownWriter) || (writer is not null && ReferenceEquals(Owner, writer))
            || ++_searches < (PageId.IsNone ? UnwrittenSearchesBeforeHeads : SearchesBeforeHeads))
        {
            return heads;
        }

        var leaf = IsLeaf;
        if (leaf && Count * sizeof(ulong) > Page.Length / 4)
        {
            return null;
        }

        var inherited = _inheritedHeads;
        _inheritedHeads = null;
        if (inherited is not null && KeyHeads.Describe(inherited, Page, leaf))
        {
            heads = inherited;
        }
        else
        {
            heads = KeyHeads.Build(Page, leaf);
        }
        return Interlocked.CompareExchange(ref _heads, heads, null) ?? heads;
    }

    /// <summary>
    /// A page buffer. <paramref name="longLived"/> ones (pages read from disk into the cache, and the copies of a large
    /// transaction, which live until the checkpoint after it) go to the pinned object heap: on the ordinary heap every
    /// compacting collection on their way to generation 2 copied their bytes, while the pinned heap is swept and never
    /// compacted. Its garbage waits for a generation-2 collection, though, so the copies of small commits, which the next
    /// commit to the same path supersedes, stay on the ordinary heap and die young there.
    /// </summary>
    public static byte[] NewPage(int size, bool zeroed, bool longLived) => (zeroed, longLived) switch
    {
        (true, true) => GC.AllocateArray<byte>(size, pinned: true),
        (false, true) => GC.AllocateUninitializedArray<byte>(size, pinned: true),
        (true, false) => new byte[size],
        (false, false) => GC.AllocateUninitializedArray<byte>(size),
    };

    /// <summary>
    /// A private, writable copy for <paramref name="owner"/>. The free gap of the page is not copied
    /// (<see cref="SlottedPage.CopyUsed"/>): a root or an upper branch is mostly gap, and every small commit copies its
    /// path.
    /// </summary>
    public Node CloneFor(object owner, bool longLived, PagePool pages, long reachableFrom)
    {
        lock (this)
        {
            var page = pages.Rent(zeroed: false, longLived);
            SlottedPage.CopyUsed(Page, page);
            var copy = new Node(page, PageId.None) { Owner = owner, ReachableFrom = reachableFrom };
            if (Children is { } children)
            {
                _childrenCopied = true; // the copy now holds this branch's cached children too (see CacheChild)
                Interlocked.MemoryBarrier();
                var copied = pages.RentChildren(children.Length);
                Array.Copy(children, copied, children.Length);
                copy.Children = copied;
            }

            if (Large is { } large)
            {
                copy.Large = [.. large];
            }

            // Most copies keep their keys (a value or a child reference changes): once the copy is immutable and
            // searched often enough to want key heads, these are checked against its keys and adopted if they match.
            copy._inheritedHeads = Volatile.Read(ref _heads) ?? _inheritedHeads;
            copy.LastInsert = LastInsert;
            copy.InsertRun = InsertRun;
            return copy;
        }
    }

    /// <summary>Sets the in-memory child of <paramref name="slot"/> (writable nodes only).</summary>
    public void SetChild(int slot, Node? child, PagePool pages)
    {
        if (Children is null)
        {
            if (child is null)
            {
                return;
            }

            Children = pages.RentChildren(Count);
        }

        child?.MarkSharedIfWritten();
        Children[slot] = child;
    }

    /// <summary>Makes room for a child reference at <paramref name="slot"/> after a slot insert (writable nodes only).</summary>
    public void InsertChildSlot(int slot, Node? child)
    {
        var count = Count; // already includes the new slot
        var children = Children;
        if (children is null || children.Length < count)
        {
            var grown = new Node?[Math.Max(count, Math.Max(8, (children?.Length ?? 0) * 2))];
            if (children is not null)
            {
                Array.Copy(children, grown, children.Length);
            }

            children = grown;
            Children = children;
        }

        Array.Copy(children, slot, children, slot + 1, count - slot - 1);
        child?.MarkSharedIfWritten();
        children[slot] = child;
    }

    /// <summary>A written node linked into a writable branch is referenced where the page cache cannot unlink it.</summary>
    private void MarkSharedIfWritten()
    {
        if (!PageId.IsNone)
        {
            _shared = true;
        }
    }

    /// <summary>Removes the child reference at <paramref name="slot"/> after a slot removal (writable nodes only).</summary>
    public void RemoveChildSlot(int slot)
    {
        if (Children is { } children)
        {
            var count = Count; // already excludes the removed slot
            Array.Copy(children, slot + 1, children, slot, count - slot);
            children[count] = null;
        }
    }
}
