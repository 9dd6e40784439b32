namespace Persistence.Benchmarks.Peers;

/// <summary>How one write commit is acknowledged.</summary>
internal enum CommitMode
{
    /// <summary>On stable storage before the commit returns: Durability.Durable for us, synchronous=FULL for SQLite.</summary>
    Durable,

    /// <summary>Written to the OS, not synced: Durability.Buffered for us, synchronous=NORMAL in WAL mode for SQLite.</summary>
    Buffered,
}
