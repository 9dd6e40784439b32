using System.Buffers;
using Persistence.Generators.Tests.Golden.Profiles;
using Persistence.Generators.Tests.Golden.Users;
using Persistence.Testing;
using Persistence.Serialization;

namespace Persistence.Generators.Tests.Runtime;

/// <summary>
/// Generated documents are plain MessagePack maps: Debian's python3-msgpack decodes what the generated serializer
/// writes, and the generated deserializer reads what python3-msgpack writes (unknown keys of any kind skipped). The
/// primary key is not in the map: it is read from the key the document is stored under.
/// </summary>
public sealed class InteropTests
{
    [Fact]
    public void Python_decodes_generated_documents()
    {
        var user = new User { Id = 7, Email = "zoë@example.com", Age = 30, Name = "", Tags = ["a", "日本"], ExpiresAt = null };
        var profile = new Profile { Id = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"), DisplayName = "Z", Score = null, Country = "SE" };
        var lines = PythonMsgpack.Run("decode", [Hex((ref MessagePackWriter w) => UserSchema.Instance.Serialize(ref w, user)), Hex((ref MessagePackWriter w) => ProfileSchema.Instance.Serialize(ref w, profile))]);
        Assert.Equal(
            $"{{{Str("Email")}={Str("zoë@example.com")},{Str("Age")}=int:30,{Str("Name")}={Str("")},{Str("Tags")}=[{Str("a")},{Str("日本")}],{Str("ExpiresAt")}=nil}}",
            lines[0]);
        Assert.Equal($"{{int:2={Str("Z")},int:3=nil,{Str("Country")}={Str("SE")}}}", lines[1]);
    }

    [Fact]
    public void Generated_deserializers_read_python_documents()
    {
        var lines = PythonMsgpack.Run("encode",
        [
            """{"Unknown": [1, {"x": 2}], "Age": 30, 99: "skip", "Email": "a@b.c", "Id": 7, "Tags": ["x", "ÿ"], "ExpiresAt": None, None: 1, 2**64-1: True}""",
            """{1: bytes(range(16)), "Country": "SE", 3: 12, 2: "Q", "Label": "computed, ignored", -5: 1.5}""",
        ]);

        // An entry for a primary-key member (written by another tool, or before keys were left out) is skipped: the
        // key the document is stored under holds the value.
        var userKey = Key((ref KeyWriter w) => w.WriteInt64(8));
        var user = Read(lines[0], (ref MessagePackReader r) => UserSchema.Instance.Deserialize(ref r, userKey));
        Assert.Equal((8L, "a@b.c", 30, "", (DateTimeOffset?)null), (user.Id, user.Email, user.Age, user.Name, user.ExpiresAt));
        Assert.Equal(["x", "ÿ"], user.Tags);

        var profileKey = Key((ref KeyWriter w) => w.WriteGuid(Guid.Parse("ffeeddcc-bbaa-9988-7766-554433221100")));
        var profile = Read(lines[1], (ref MessagePackReader r) => ProfileSchema.Instance.Deserialize(ref r, profileKey));
        Assert.Equal((Guid.Parse("ffeeddcc-bbaa-9988-7766-554433221100"), "Q", (int?)12, "SE"), (profile.Id, profile.DisplayName, profile.Score, profile.Country));
    }

    private delegate T ReadFunc<out T>(ref MessagePackReader reader);

    private delegate void WriteAction(ref MessagePackWriter writer);

    private delegate void KeyAction(ref KeyWriter writer);

    private static byte[] Key(KeyAction write)
    {
        var writer = new KeyWriter(stackalloc byte[32]);
        write(ref writer);
        return writer.ToArray();
    }

    private static T Read<T>(string line, ReadFunc<T> read)
    {
        var bytes = Convert.FromHexString(line.Split('\t')[0]);
        var reader = new MessagePackReader(bytes);
        var value = read(ref reader);
        Assert.True(reader.End);
        return value;
    }

    private static string Hex(WriteAction write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return Convert.ToHexStringLower(buffer.WrittenSpan);
    }

    private static string Str(string value) => "str:" + string.Join(",", value.EnumerateRunes().Select(r => r.Value.ToString("x", System.Globalization.CultureInfo.InvariantCulture)));
}
