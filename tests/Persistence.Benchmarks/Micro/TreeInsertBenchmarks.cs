using BenchmarkDotNet.Attributes;
using Persistence.BTree;
using Persistence.Serialization;
using Persistence.Storage;

namespace Persistence.Benchmarks.Micro;

/// <summary>
/// The insert path of a large transaction's private tree (<see cref="TreeWriter.Put"/>, 8 KiB pages in memory): each
/// call builds a fresh tree of 100,000 keys. Ascending ids with 70-byte values are a bulk load's documents; emails
/// (about 26 bytes, 8-byte values) in random order are its unique index, and in ascending order the same keys presorted.
/// Reported per key.
/// </summary>
public class TreeInsertBenchmarks
{
    private const int Keys = 100_000;
    private readonly InMemoryNodeSource _source = new(8192, poolPages: 0);
    private readonly byte[] _document = new byte[70];
    private readonly byte[] _entry = new byte[8];
    private byte[][] _ids = [];
    private byte[][] _emails = [];
    private byte[][] _sortedEmails = [];

    [GlobalSetup]
    public void Setup()
    {
        _ids = [.. Enumerable.Range(0, Keys).Select(i => Encode((ref KeyWriter w) => w.WriteInt64(i)))];
        var random = new Random(17);
        _emails = [.. Enumerable.Range(0, Keys).Select(i => Encode((ref KeyWriter w) => w.WriteString($"user{random.Next(134_000_000)}.{i}@example.com")))];
        _sortedEmails = [.. _emails.Order(ByteArrayOrder.Instance).Select(k => (byte[])k.Clone())]; // laid out in key order too
    }

    [Benchmark(OperationsPerInvoke = Keys)]
    public long AscendingIds() => Build(_ids, _document);

    [Benchmark(OperationsPerInvoke = Keys)]
    public long RandomEmails() => Build(_emails, _entry);

    [Benchmark(OperationsPerInvoke = Keys)]
    public long AscendingEmails() => Build(_sortedEmails, _entry);

    private long Build(byte[][] keys, byte[] value)
    {
        var writer = new TreeWriter(new object(), _source, new FreedSet());
        var tree = TreeRoot.Empty;
        foreach (var key in keys)
        {
            writer.Put(ref tree, key, value);
        }

        return tree.Count;
    }

    private delegate void Write(ref KeyWriter writer);

    private static byte[] Encode(Write write)
    {
        var writer = new KeyWriter(stackalloc byte[64]);
        try
        {
            write(ref writer);
            return writer.ToArray();
        }
        finally
        {
            writer.Dispose();
        }
    }

    private sealed class ByteArrayOrder : IComparer<byte[]>
    {
        public static readonly ByteArrayOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => KeyComparer.Compare(x, y);
    }
}
