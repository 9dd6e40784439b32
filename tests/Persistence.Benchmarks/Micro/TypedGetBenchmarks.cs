using BenchmarkDotNet.Attributes;
using Persistence.Benchmarks.Data;
using Persistence.Serialization;

namespace Persistence.Benchmarks.Micro;

/// <summary>
/// A point get of a materialized <see cref="User"/> among 100,000 (file database, all in the page cache): through the
/// generated collection (<c>users.Get(id)</c>, <c>users.ByEmail.Get(email)</c>) and, for comparison, by hand at the
/// key-value level (read transaction, TryGet, generated deserializer), which is the floor the typed layer adds to; and
/// the parts of that floor: a snapshot opened and disposed, and a lookup inside an open snapshot.
/// </summary>
public class TypedGetBenchmarks
{
    private const int Users = 100_000;
    private Database _database = null!;
    private UserCollection _users = null!;
    private Keyspace _documents = null!;
    private ReadTransaction _open = null!;
    private string[] _emails = [];
    private string _directory = "";
    private long _next;

    [GlobalSetup]
    public void Setup()
    {
        (_database, _users, _directory) = MicroUsers.Create("get", Users);
        var factory = new UserFactory(20_240_601);
        using var read = _database.BeginRead();
        _documents = read.GetKeyspace("users");
        _open = _database.BeginRead();
        _emails = [.. Enumerable.Range(0, 4096).Select(i => factory.EmailOf(1 + ((i * 7919L) % Users)))];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _open.Dispose();
        _database.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public object? CollectionGet() => _users.Get(NextId());

    [Benchmark]
    public object? IndexGetByEmail() => _users.ByEmail.Get(_emails[_next++ & 4095]);

    [Benchmark]
    public object? KeyValueGet()
    {
        var writer = new KeyWriter(stackalloc byte[9]);
        writer.WriteInt64(NextId());
        var key = writer.WrittenSpan;
        using var read = _database.BeginRead();
        if (!read.TryGet(_documents, key, out var value))
        {
            throw new InvalidOperationException("Every id of the benchmark is stored.");
        }

        var reader = new MessagePackReader(value);
        return UserSchema.Instance.Deserialize(ref reader, key);
    }

    [Benchmark]
    public long SnapshotOnly()
    {
        using var read = _database.BeginRead();
        return read.SnapshotVersion;
    }

    [Benchmark]
    public int TryGetInOpenSnapshot()
    {
        Span<byte> key = stackalloc byte[8];
        var writer = new KeyWriter(key);
        writer.WriteInt64(NextId());
        return _open.TryGet(_documents, key, out var value) ? value.Length : 0;
    }

    private long NextId() => 1 + ((_next++ * 7919) % Users);
}
