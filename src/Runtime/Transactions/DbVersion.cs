using Persistence.BTree;
using Persistence.Wal;

namespace Persistence.Transactions;

/// <summary>
/// One committed state of the database: the root of every keyspace's tree, the catalog, and where its commit ends in
/// the WAL. Versions form a chain from the oldest retained to the newest; a snapshot pins one version.
/// </summary>
/// <remarks>
/// A version also carries what the commit that created it freed (for page reclamation) and its transaction log (for
/// conflict checks by write transactions whose snapshot is older). Both are dropped when no longer needed.
/// </remarks>
internal sealed class DbVersion
{
    private int _pins;
    private volatile DbVersion? _next;

    public DbVersion(long number, TreeRoot[] roots, Catalog catalog, long createdTimestamp)
    {
        Number = number;
        Roots = roots;
        Catalog = catalog;
        CreatedTimestamp = createdTimestamp;
        foreach (var root in roots)
        {
            // The version holds its roots directly: evicting one from the page cache must not recycle its buffer.
            root.Root?.MarkShared();
        }
    }

    public long Number { get; }

    public TreeRoot[] Roots { get; }

    public Catalog Catalog { get; }

    /// <summary>When the version was created (<see cref="TimeProvider.GetTimestamp"/>), for snapshot-age metrics.</summary>
    public long CreatedTimestamp { get; }

    /// <summary>The WAL position after this version's commit.</summary>
    public long EndLsn { get; set; }

    /// <summary>The chained frame checksum after this version's commit (the seed for what follows).</summary>
    public uint EndChain { get; set; }

    /// <summary>What the commit that created this version made unreachable.</summary>
    public FreedSet? Freed { get; set; }

    /// <summary>The commit's operations, kept while an older write transaction may need to check conflicts against them.</summary>
    public TxLog? Log { get; set; }

    /// <summary>Forgets the log (no writer can need it any more) and deletes its spill file, if it has one.</summary>
    public void DropLog()
    {
        Log?.DiscardSpill();
        Log = null;
    }

    /// <summary>
    /// The next version sequenced: null for the newest, and for a retired version the chain's old end has passed, which
    /// it cuts off (<see cref="VersionChain.RetireUnpinned"/>).
    /// </summary>
    public DbVersion? Next
    {
        get => _next;
        set => _next = value;
    }

    public int Pins => Volatile.Read(ref _pins);

    /// <summary>
    /// Replaced nodes whose buffers only this pin keeps from being recycled (it is the newest pinned version that can
    /// reach them); see <see cref="VersionChain"/>. Read and written under its reclamation lock.
    /// </summary>
    public List<Node>? HeldBack { get; set; }

    /// <summary>The writer token that owns the nodes this version's commit created.</summary>
    public object? Owner { get; set; }

    /// <summary>
    /// Set when a checkpoint chose this version: a later commit must then copy its nodes rather than change them in
    /// place (see <see cref="CommitSequencer"/>).
    /// </summary>
    public bool Sealed { get; set; }

    public TreeRoot Root(int keyspaceId) => (uint)keyspaceId < (uint)Roots.Length ? Roots[keyspaceId] : TreeRoot.Empty;

    /// <summary>Adds a pin unless the version was already retired.</summary>
    public bool TryPin()
    {
        while (true)
        {
            var pins = Volatile.Read(ref _pins);
            if (pins < 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _pins, pins + 1, pins) == pins)
            {
                return true;
            }
        }
    }

    public void Unpin() => Interlocked.Decrement(ref _pins);

    /// <summary>
    /// Retires the version if nothing pins it, or tells it is retired already; a retired version can never be pinned
    /// again.
    /// </summary>
    public bool TryRetire() => Interlocked.CompareExchange(ref _pins, -1, 0) is 0 or -1;
}
