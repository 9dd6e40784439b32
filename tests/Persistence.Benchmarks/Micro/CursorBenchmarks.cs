using BenchmarkDotNet.Attributes;
using Persistence.BTree;
using Persistence.Serialization;

namespace Persistence.Benchmarks.Micro;

/// <summary>
/// One step of a cursor over a large tree (1M keys of 8 bytes with 100-byte values, in memory): the internal
/// <see cref="TreeCursor"/> and the public <see cref="Cursor"/> that wraps it (range checks, re-seek on writes). Each
/// invocation seeks a random key and steps 1,000 times, reading key and value; results are per step.
/// </summary>
public class CursorBenchmarks
{
    private const int Keys = 1_000_000;
    private const int Steps = 1000;
    private Database _database = null!;
    private Keyspace _keyspace = null!;
    private ReadTransaction _read = null!;
    private TreeCursor _tree = null!;
    private readonly byte[] _seek = new byte[8];
    private Random _random = null!;

    [GlobalSetup]
    public void Setup()
    {
        _database = Database.OpenInMemory();
        var value = new byte[100];
        var key = new byte[8];
        using (var write = _database.BeginWrite(Durability.Buffered))
        {
            _keyspace = write.GetOrCreateKeyspace("k");
            for (long i = 0; i < Keys; i++)
            {
                Encode(i, key);
                write.Put(_keyspace, key, value);
            }

            write.Commit();
        }

        _read = _database.BeginRead();
        _tree = new TreeCursor(_read.Source, writer: null);
        _random = new Random(7);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _read.Dispose();
        _database.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Steps)]
    public int TreeCursorNext()
    {
        Encode(_random.Next(Keys - Steps), _seek);
        _tree.Reset(_read.CurrentRoot(_keyspace.Id).Root);
        var bytes = 0;
        var ok = _tree.Seek(_seek);
        for (var i = 0; i < Steps && ok; i++, ok = _tree.Next())
        {
            bytes += _tree.Key.Length + _tree.Value.Length;
        }

        return bytes;
    }

    [Benchmark(OperationsPerInvoke = Steps)]
    public int PublicCursorNext()
    {
        Encode(_random.Next(Keys - Steps), _seek);
        using var cursor = _read.OpenCursor(_keyspace, KeyRange.From(_seek));
        var bytes = 0;
        var ok = cursor.First();
        for (var i = 0; i < Steps && ok; i++, ok = cursor.Next())
        {
            bytes += cursor.Key.Length + cursor.Value.Length;
        }

        return bytes;
    }

    private static void Encode(long value, byte[] destination)
    {
        var writer = new KeyWriter(destination);
        writer.WriteInt64(value);
    }
}
