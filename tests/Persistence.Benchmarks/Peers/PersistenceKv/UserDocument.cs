using System.Buffers;
using Persistence.Benchmarks.Data;
using Persistence.Serialization;

namespace Persistence.Benchmarks.Peers.PersistenceKv;

/// <summary>
/// The hand-written stand-in for the serializer the source generator will emit: a <see cref="User"/> as a MessagePack
/// array of six values, positional like a generated contract with numbered members.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Index</term><description>Value</description></listheader>
/// <item><term>0</term><description>Id, int (smallest form)</description></item>
/// <item><term>1</term><description>Email, str</description></item>
/// <item><term>2</term><description>Name, str</description></item>
/// <item><term>3</term><description>Age, int</description></item>
/// <item><term>4</term><description>CreatedAt, timestamp extension (-1)</description></item>
/// <item><term>5</term><description>Tags, array of str</description></item>
/// </list>
/// About 60-70 bytes for the generated users.
/// </remarks>
internal static class UserDocument
{
    private const int FieldCount = 6;

    /// <summary>Serializes into <paramref name="buffer"/> (reset first) and returns the bytes, valid until the buffer is reused.</summary>
    public static ReadOnlySpan<byte> Write(User user, ArrayBufferWriter<byte> buffer)
    {
        buffer.ResetWrittenCount();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(FieldCount);
        writer.Write(user.Id);
        writer.WriteString(user.Email);
        writer.WriteString(user.Name);
        writer.Write(user.Age);
        writer.WriteTimestamp(user.CreatedAt);
        writer.WriteArrayHeader(user.Tags.Count);
        foreach (var tag in user.Tags)
        {
            writer.WriteString(tag);
        }

        writer.Flush();
        return buffer.WrittenSpan;
    }

    /// <summary>Materializes a full <see cref="User"/>.</summary>
    public static User Read(ReadOnlySpan<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        var count = reader.ReadArrayHeader();
        if (count != FieldCount)
        {
            throw new InvalidDataException($"A user document has {FieldCount} fields; this one has {count}.");
        }

        var user = new User
        {
            Id = reader.ReadInt64(),
            Email = reader.ReadString(),
            Name = reader.ReadString(),
            Age = reader.ReadInt32(),
            CreatedAt = reader.ReadTimestamp(),
        };
        var tags = reader.ReadArrayHeader();
        var list = new List<string>(tags);
        for (var i = 0; i < tags; i++)
        {
            list.Add(reader.ReadString());
        }

        user.Tags = list;
        return user;
    }
}
