using System.Buffers;
using Persistence.Serialization;

namespace Persistence.Tests.Serialization;

/// <summary>Packs and unpacks through the real writer and reader, and checks failures are the typed exception.</summary>
internal static class MessagePackTesting
{
    public delegate void WriteAction(ref MessagePackWriter writer);

    public delegate T ReadFunc<out T>(ref MessagePackReader reader);

    public delegate void ReadAction(ref MessagePackReader reader);

    public static byte[] Pack(WriteAction write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static string PackHex(WriteAction write) => Convert.ToHexStringLower(Pack(write));

    /// <summary>Hex with optional spaces, as the tests spell expected bytes.</summary>
    public static byte[] FromHex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    /// <summary>Reads one value and asserts the whole input was consumed.</summary>
    public static T Unpack<T>(byte[] bytes, ReadFunc<T> read)
    {
        var reader = new MessagePackReader(bytes);
        T value = read(ref reader);
        Assert.True(reader.End, $"{bytes.Length - reader.Position} bytes left unread in {Convert.ToHexStringLower(bytes)}");
        return value;
    }

    public static T Unpack<T>(string hex, ReadFunc<T> read) => Unpack(FromHex(hex), read);

    public static PersistenceSerializationException AssertMalformed(byte[] bytes, ReadAction read)
    {
        var exception = Assert.Throws<PersistenceSerializationException>(() =>
        {
            var reader = new MessagePackReader(bytes);
            read(ref reader);
        });
        Assert.Equal(ErrorCode.SerializationError, exception.Code);
        Assert.Contains("at byte offset", exception.Message, StringComparison.Ordinal);
        Assert.StartsWith("Expected ", exception.Message, StringComparison.Ordinal);
        return exception;
    }

    public static PersistenceSerializationException AssertMalformed(string hex, ReadAction read) =>
        AssertMalformed(FromHex(hex), read);
}
