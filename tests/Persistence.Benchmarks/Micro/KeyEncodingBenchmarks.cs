using BenchmarkDotNet.Attributes;
using Persistence.Serialization;

namespace Persistence.Benchmarks.Micro;

/// <summary>Order-preserving key encoding: an Int64 primary key and an email (the unique index's key).</summary>
public class KeyEncodingBenchmarks
{
    private readonly byte[] _buffer = new byte[128];
    private readonly string _email = "user98765432@example.com";
    private long _id = 123_456_789;

    [Benchmark]
    public int WriteInt64()
    {
        var writer = new KeyWriter(_buffer);
        writer.WriteInt64(_id++);
        return writer.WrittenSpan.Length;
    }

    [Benchmark]
    public int WriteString()
    {
        var writer = new KeyWriter(_buffer);
        writer.WriteString(_email);
        return writer.WrittenSpan.Length;
    }

    [Benchmark]
    public long ReadInt64()
    {
        var writer = new KeyWriter(_buffer);
        writer.WriteInt64(_id);
        var reader = new KeyReader(_buffer.AsSpan(0, 8));
        return reader.ReadInt64();
    }
}
