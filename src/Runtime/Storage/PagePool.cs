using Persistence.BTree;

namespace Persistence.Storage;

/// <summary>
/// Page buffers of tree nodes that no snapshot can reach any more, kept for the next nodes a writer creates or a read
/// loads, so that a steady stream of small commits copies pages into recycled memory instead of allocating (and later
/// collecting) a fresh 8 KiB array for every page on its path.
/// </summary>
/// <remarks>
/// <para>Only <see cref="Transactions.VersionChain"/> returns buffers, and only of nodes that a commit replaced or freed (its
/// <see cref="FreedSet.Superseded"/>) once every version that reached them is retired and the node was never written:
/// a written node may sit in the page cache, where a later read could find it; an unwritten one is reachable only
/// through the trees of versions, so once they are retired, nothing reads it again.</para>
/// <para>Bounded: beyond <see cref="Capacity"/> buffers, returned ones are left to the garbage collector.</para>
/// </remarks>
internal sealed class PagePool
{
    private readonly Lock _lock = new();
    private readonly byte[][] _free;
    private int _count;

    /// <summary>The byte a returned buffer is filled with while <see cref="Poison"/> is set.</summary>
    internal const byte PoisonByte = 0xDB;

    /// <summary>
    /// Tests set this: returned buffers are filled with <see cref="PoisonByte"/>, and a rented one must still hold only
    /// that, so that a node read after its buffer was recycled shows garbage (which the tests' checks notice) and a
    /// write into a recycled buffer is caught when the buffer is rented again.
    /// </summary>
    internal static bool Poison { get; set; }

    public PagePool(int pageSize, int capacity)
    {
        PageSize = pageSize;
        Capacity = Math.Max(0, capacity);
        _free = new byte[Capacity][];
    }

    public int PageSize { get; }

    public int Capacity { get; }

    /// <summary>Buffers handed out again instead of allocated (diagnostics).</summary>
    public long Reused { get; private set; }

    /// <summary>Buffers allocated because none was free (diagnostics; approximate under concurrency).</summary>
    public long Allocated { get; private set; }

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

    /// <summary>Returns the buffers of nodes nothing can reach any more (see the remarks).</summary>
    public void Return(List<Node> nodes)
    {
        lock (_lock)
        {
            foreach (var node in nodes)
            {
                if (_count == _free.Length)
                {
                    return;
                }

                if (node.PageId.IsNone && node.Page.Length == PageSize && !node.Recycled)
                {
                    node.Recycled = true; // returned once, even if a bug listed it twice
                    if (Poison)
                    {
                        Array.Fill(node.Page, PoisonByte);
                    }

                    _free[_count++] = node.Page;
                }
            }
        }
    }
}
