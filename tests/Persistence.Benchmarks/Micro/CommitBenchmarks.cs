using BenchmarkDotNet.Attributes;
using Persistence.Serialization;

namespace Persistence.Benchmarks.Micro;

/// <summary>
/// The commit path: begin a write transaction, put one 100-byte value under one of 100,000 keys (an update, so the
/// tree's size stays put), commit with <see cref="Durability.Buffered"/> (no fsync). On an in-memory database and on a
/// file database in the temp folder (the log is written, not synced; checkpoints run as configured).
/// </summary>
public class CommitBenchmarks
{
    private const int Keys = 100_000;
    private readonly byte[] _key = new byte[8];
    private readonly byte[] _value = new byte[100];
    private Database _memory = null!;
    private Database _file = null!;
    private Keyspace _memoryKeys = null!;
    private Keyspace _fileKeys = null!;
    private string _directory = "";
    private long _next;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"persistence-micro-commit-{Environment.ProcessId}");
        Directory.CreateDirectory(_directory);
        _memory = Database.OpenInMemory();
        _file = Database.Open(Path.Combine(_directory, "commit.db"));
        _memoryKeys = Fill(_memory);
        _fileKeys = Fill(_file);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _memory.Dispose();
        _file.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public void BufferedCommitInMemory() => PutOne(_memory, _memoryKeys);

    [Benchmark]
    public void BufferedCommitFile() => PutOne(_file, _fileKeys);

    private void PutOne(Database database, Keyspace keyspace)
    {
        Encode(_next++ % Keys, _key);
        using var write = database.BeginWrite(Durability.Buffered);
        write.Put(keyspace, _key, _value);
        write.Commit();
    }

    private Keyspace Fill(Database database)
    {
        using var write = database.BeginWrite(Durability.Buffered);
        var keyspace = write.GetOrCreateKeyspace("k");
        for (long i = 0; i < Keys; i++)
        {
            Encode(i, _key);
            write.Put(keyspace, _key, _value);
        }

        write.Commit();
        return keyspace;
    }

    private static void Encode(long value, byte[] destination)
    {
        var writer = new KeyWriter(destination);
        writer.WriteInt64(value);
    }
}
