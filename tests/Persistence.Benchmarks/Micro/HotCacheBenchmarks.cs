using BenchmarkDotNet.Attributes;
using Persistence.Benchmarks.Data;

namespace Persistence.Benchmarks.Micro;

/// <summary>
/// <c>users.Get(id)</c> among 100,000 users with a hot cache of 10,000 documents: every get a hit (ids cycling
/// through 1,000), and every get a miss that fills the cache past its bound (ids cycling through all 100,000), which
/// is the eviction path. Compare with <see cref="TypedGetBenchmarks.CollectionGet"/> (no cache).
/// </summary>
public class HotCacheBenchmarks
{
    private const int Users = 100_000;
    private Database _database = null!;
    private UserCollection _users = null!;
    private string _directory = "";
    private long _next;

    [GlobalSetup]
    public void Setup()
    {
        var options = new DatabaseOptions();
        options.Collections["users"] = new CollectionOptions { HotCacheMaxCount = Users / 10 };
        (_database, _users, _directory) = MicroUsers.Create("hot", Users, options);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _database.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public object? Hit() => _users.Get(1 + ((_next++ * 7919) % 1000));

    [Benchmark]
    public object? MissAndEvict() => _users.Get(1 + ((_next++ * 7919) % Users));
}
