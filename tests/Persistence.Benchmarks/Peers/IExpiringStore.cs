using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Measurement;

namespace Persistence.Benchmarks.Peers;

/// <summary>
/// A peer's store of <see cref="ExpiringUser"/>s, beside its users (the TTL workloads): ours is the generated
/// <c>ExpiringUserCollection</c> in a database of its own; SQLite is a table with the users' columns plus an indexed
/// ExpiresAt. Reads hide expired documents in both.
/// </summary>
internal interface IExpiringStore : IDisposable
{
    /// <summary>Inserts every document in one transaction, maintaining every index (the expiry index too).</summary>
    void Load(DocumentBatches<ExpiringUser> users);

    /// <summary>Moves everything committed into the data file.</summary>
    void Checkpoint();

    /// <summary>
    /// Removes every document expired at the clock's current time, in batches of the settings' size, each its own
    /// buffered transaction, pausing between batches as <see cref="ExpiringStoreSettings.MaxCollectorShare"/> says;
    /// returns how many.
    /// </summary>
    long CollectExpired();

    /// <summary>What the store uses on disk now.</summary>
    DiskUsage MeasureDisk();

    /// <summary>A session for the calling thread.</summary>
    IExpiringSession OpenSession();

    /// <summary>Engine counters worth reading next to the results, or empty.</summary>
    string Diagnostics();
}
