namespace Persistence.Benchmarks.Peers;

/// <summary>A peer the runner can open: its name, the workloads it takes part in, and how to open it on a directory.</summary>
/// <param name="Name">Command-line and report name.</param>
/// <param name="Supports">Whether the peer runs the workload family (W1, W4, ...).</param>
/// <param name="Open">Opens the peer on an empty directory with the workload's sync profile.</param>
internal sealed record PeerDescriptor(string Name, Func<string, bool> Supports, Func<string, SyncProfile, IPeer> Open)
{
    /// <summary>False for a peer that runs only when named with <c>--peer</c> (our key-value-level peer).</summary>
    public bool InDefaultRun { get; init; } = true;

    /// <summary>Why the peer cannot run on this machine (a missing native library), or null when it can.</summary>
    public Func<string?> Unavailable { get; init; } = static () => null;
}
