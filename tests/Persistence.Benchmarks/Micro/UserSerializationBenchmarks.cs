using System.Buffers;
using BenchmarkDotNet.Attributes;
using Persistence.Benchmarks.Data;
using Persistence.Serialization;

namespace Persistence.Benchmarks.Micro;

/// <summary>The generated schema of the benchmark's <see cref="User"/>: serialize into a reused buffer, deserialize a full object.</summary>
public class UserSerializationBenchmarks
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private User _user = null!;
    private byte[] _bytes = [];
    private byte[] _key = [];

    [GlobalSetup]
    public void Setup()
    {
        _user = new UserFactory(20_240_601).Create(123_456);
        _buffer.ResetWrittenCount();
        var writer = new MessagePackWriter(_buffer);
        UserSchema.Instance.Serialize(ref writer, _user);
        writer.Flush();
        _bytes = _buffer.WrittenSpan.ToArray();
        var key = new KeyWriter(stackalloc byte[9]);
        key.WriteInt64(_user.Id);
        _key = key.ToArray();
    }

    [Benchmark]
    public int Serialize()
    {
        _buffer.ResetWrittenCount();
        var writer = new MessagePackWriter(_buffer);
        UserSchema.Instance.Serialize(ref writer, _user);
        writer.Flush();
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public object Deserialize()
    {
        var reader = new MessagePackReader(_bytes);
        return UserSchema.Instance.Deserialize(ref reader, _key);
    }
}
