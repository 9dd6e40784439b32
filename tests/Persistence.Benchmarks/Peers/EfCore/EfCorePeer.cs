using Microsoft.Data.Sqlite;
using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Measurement;
using Persistence.Benchmarks.Peers.Sqlite;

namespace Persistence.Benchmarks.Peers.EfCore;

/// <summary>
/// EF Core over SQLite, what a typical .NET application sees: W1 (AddRange + one SaveChanges in one transaction) and
/// W4 (a new context per lookup, tracking queries; no AsNoTracking, hence the plain name). Same connection settings as
/// the SQLite peer (<see cref="SqliteSetup"/>).
/// </summary>
internal sealed class EfCorePeer : IPeer
{
    public const string PeerName = "efcore";

    private readonly string _directory;
    private readonly string _path;
    private readonly SyncProfile _profile;
    private readonly SqliteConnection _main;

    public EfCorePeer(string directory, SyncProfile profile)
    {
        _directory = directory;
        _path = Path.Combine(directory, "users.sqlite");
        _profile = profile;
        _main = SqliteSetup.Open(_path, profile);
        using var session = new EfCoreSession(_main, ownsConnection: false);
        session.EnsureCreated();
    }

    public static PeerDescriptor Descriptor { get; } = new(
        PeerName, workload => workload is "W1" or "W4", (directory, profile) => new EfCorePeer(directory, profile));

    public string Name => PeerName;

    public bool NeedsLongWarmup => true;

    public void Load(UserBatches users)
    {
        using var session = new EfCoreSession(_main, ownsConnection: false);
        session.Load(users);
    }

    /// <summary>
    /// Untimed: the rows go in through the SQLite peer's prepared INSERT, which fits EF Core's schema (same table and
    /// column names), so W4 reads exactly what EF Core would have written, minus a minute of setup at 1M documents.
    /// </summary>
    public void Preload(UserBatches users)
    {
        using var session = new SqliteSession(_main, ownsConnection: false, _profile);
        session.Load(users);
    }

    public void Checkpoint() => SqliteSetup.Checkpoint(_main);

    public DiskUsage MeasureDisk() => DiskUsage.Measure(_path, _directory);

    public string Diagnostics() => "";

    public IPeerSession OpenSession() => new EfCoreSession(SqliteSetup.Open(_path, _profile), ownsConnection: true);

    public void Dispose() => _main.Dispose();
}
