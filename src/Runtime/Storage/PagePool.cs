using System.Numerics;
using Persistence.BTree;

namespace Persistence.Storage;

/// <summary>
/// Page buffers of tree nodes that no snapshot can reach any more, kept for the next nodes a writer creates or a read
/// loads, so that a steady stream of small commits copies pages into recycled memory instead of allocating (and later
/// collecting) a fresh 8 KiB array for every page on its path.
/// </summary>
/// <remarks>
/// <para><see cref="Transactions.VersionChain"/> returns the buffers of nodes that a commit replaced or freed (its
/// <see cref="FreedSet.Superseded"/>) once every version that reached them is retired: nothing reads them again. The
/// <see cref="PageCache"/> returns those of nodes it evicted, under conditions it describes. A
/// written one may still be the page cache's entry for its page number, which only retired trees would look up; it is
/// removed from the cache first (<see cref="PageCache.Remove"/>). An unwritten branch's child-reference array comes
/// back with its node and serves the next copy of a branch (<see cref="RentChildren"/>).</para>
/// <para>Bounded: beyond <see cref="Capacity"/> buffers, returned ones are left to the garbage collector.</para>
/// </remarks>
internal sealed class PagePool
{
    private readonly Lock _lock = new();
    private readonly byte[][] _free;
    private int _count;

    // Child-reference arrays of branches, by size class: lengths 8, 16, ..., 1024. A class holds a sixteenth of the page
    // capacity (at least 32): versions retire in bursts (a reader letting go, several writers' commits published at
    // once), and a burst returns one array per superseded branch copy; with 32 per class, four writers of buffered
    // commits dropped most of them and allocated about 4 KB of child arrays per commit.
    private const int SmallestChildArray = 8;
    private const int ChildArrayClasses = 8;
    private const int MinChildArraysPerClass = 32;
    private readonly Node?[][][] _freeChildren = new Node?[ChildArrayClasses][][];
    private readonly int[] _childrenCount = new int[ChildArrayClasses];

    /// <summary>The byte a returned buffer is filled with while <see cref="Poison"/> is set.</summary>
    internal const byte PoisonByte = 0xDB;

    /// <summary>
    /// Tests set this: returned buffers are filled with <see cref="PoisonByte"/>, and a rented one must still hold only
    /// that, so that a node read after its buffer was recycled shows garbage (which the tests' checks notice) and a
    /// write into a recycled buffer is caught when the buffer is rented again.
    /// </summary>
    internal static bool Poison { get; set; }

    /// <summary>What a returned child array is filled with while <see cref="Poison"/> is set: a node no tree holds.</summary>
    internal static readonly Node PoisonedChild = new(new byte[PageHeader.Size], PageId.None);

    public PagePool(int pageSize, int capacity)
    {
        PageSize = pageSize;
        Capacity = Math.Max(0, capacity);
        _free = new byte[Capacity][];
        for (var i = 0; i < ChildArrayClasses; i++)
        {
            _freeChildren[i] = new Node?[Capacity == 0 ? 0 : ChildArraysPerClass(Capacity)][];
        }
    }

    public int PageSize { get; }

    /// <summary>The page cache written nodes are removed from before their buffers are reused (none in memory).</summary>
    public PageCache? Cache { get; init; }

    public int Capacity { get; }

    /// <summary>Buffers handed out again instead of allocated (diagnostics).</summary>
    public long Reused { get; private set; }

    /// <summary>Buffers allocated because none was free (diagnostics; approximate under concurrency).</summary>
    public long Allocated { get; private set; }

    /// <summary>Child arrays of branches handed out again instead of allocated (diagnostics).</summary>
    public long ChildArraysReused { get; private set; }

    /// <summary>Buffers returned while the pool was full, left to the garbage collector (diagnostics).</summary>
    public long Dropped { get; private set; }

    /// <summary>Buffers currently held.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// A page buffer: a recycled one if any, else a new one (<see cref="Node.NewPage"/> decides, by
    /// <paramref name="longLived"/>, which heap). Its bytes are zero only with <paramref name="zeroed"/>.
    /// </summary>
    public byte[] Rent(bool zeroed, bool longLived)
    {
        byte[]? page = null;
        if (Volatile.Read(ref _count) > 0)
        {
            lock (_lock)
            {
                if (_count > 0)
                {
                    page = _free[--_count];
                    _free[_count] = null!;
                    Reused++;
                }
            }
        }

        if (page is null)
        {
            Allocated++;
            return Node.NewPage(PageSize, zeroed, longLived);
        }

        if (Poison && page.AsSpan().IndexOfAnyExcept(PoisonByte) is var at and >= 0)
        {
            throw new InvalidOperationException($"A recycled page buffer was written after it was returned (byte {at}).");
        }

        if (zeroed)
        {
            Array.Clear(page);
        }

        return page;
    }

    /// <summary>
    /// An array for a branch's in-memory child references, at least <paramref name="length"/> long and all null: a
    /// recycled one if any. Lengths are rounded up to a power of two so that arrays fit the next branch of any size.
    /// </summary>
    public Node?[] RentChildren(int length)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(length, SmallestChildArray));
        var sizeClass = SizeClass(size);
        if (sizeClass >= ChildArrayClasses)
        {
            return new Node?[length];
        }

        Node?[]? children = null;
        if (Volatile.Read(ref _childrenCount[sizeClass]) > 0)
        {
            lock (_lock)
            {
                if (_childrenCount[sizeClass] > 0)
                {
                    ref var slot = ref _freeChildren[sizeClass][--_childrenCount[sizeClass]];
                    children = slot;
                    slot = null!;
                    ChildArraysReused++;
                }
            }
        }

        if (children is null)
        {
            return new Node?[size];
        }

        if (Poison)
        {
            if (Array.FindIndex(children, c => !ReferenceEquals(c, PoisonedChild)) is var written and >= 0)
            {
                throw new InvalidOperationException($"A recycled child array was written after it was returned (slot {written}).");
            }

            Array.Clear(children);
        }

        // Otherwise Return cleared it, and nothing writes a returned array (the poisoned runs check that).
        return children;
    }

    /// <summary>Returns the buffers (and child arrays) of nodes nothing can reach any more (see the remarks).</summary>
    public void Return(List<Node> nodes)
    {
        // Out of the cache first, outside this pool's lock: a clone rents under its node's lock, and the cache evicts
        // (which locks a node) under its own, so the cache's lock must never be taken under this one.
        foreach (var node in nodes)
        {
            if (!node.Recycled && !node.PageId.IsNone && !node.Evicted)
            {
                // Only this entry: the page number may already hold a newer node.
                Cache?.Remove(node);
            }
        }

        lock (_lock)
        {
            foreach (var node in nodes)
            {
                if (node.Recycled || (!node.PageId.IsNone && Cache is null))
                {
                    continue;
                }

                node.Recycled = true; // returned once, even if a bug listed it twice
                if (node.PageId.IsNone && node.Children is { } children)
                {
                    // Never a written branch's array: a written branch may have cached children (Node.CacheChild), and
                    // evicting one of those clears its slot (Node.Unlink) in the array it read, however late; in a
                    // reused array that slot could be a live branch's only link to an unwritten child.
                    node.Children = null;
                    ReturnChildren(children);
                }

                if (node.Page.Length != PageSize)
                {
                    continue;
                }

                if (Poison)
                {
                    Array.Fill(node.Page, PoisonByte); // dropped ones too: a reader of either shows garbage
                }

                if (_count == _free.Length)
                {
                    Dropped++;
                }
                else
                {
                    _free[_count++] = node.Page;
                }
            }
        }
    }

    private void ReturnChildren(Node?[] children)
    {
        var length = children.Length;
        if (length < SmallestChildArray || !BitOperations.IsPow2(length))
        {
            return; // not one of ours
        }

        var sizeClass = SizeClass(length);
        if (sizeClass >= ChildArrayClasses || _childrenCount[sizeClass] == _freeChildren[sizeClass].Length)
        {
            return;
        }

        if (Poison)
        {
            Array.Fill(children, PoisonedChild);
        }
        else
        {
            // Cleared now, once, so that the pool (in generation 2) does not keep the children of a replaced branch
            // alive, and promote them, until the array serves again; Rent hands it out as it is.
            Array.Clear(children);
        }

        _freeChildren[sizeClass][_childrenCount[sizeClass]++] = children;
    }

    /// <summary>How many child arrays of one size class a pool of <paramref name="capacity"/> page buffers keeps.</summary>
    internal static int ChildArraysPerClass(int capacity) => Math.Max(MinChildArraysPerClass, capacity / 16);

    /// <summary>The size class of a power-of-two array length of at least <see cref="SmallestChildArray"/>.</summary>
    private static int SizeClass(int powerOfTwo) => BitOperations.Log2((uint)powerOfTwo) - BitOperations.Log2(SmallestChildArray);
}
