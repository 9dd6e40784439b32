using Persistence.Serialization;

namespace Persistence.Benchmarks.Peers.PersistenceKv;

/// <summary>
/// The key layouts of the three keyspaces, all built with <see cref="KeyWriter"/> (order-preserving, integers in 1 to
/// 9 bytes): <c>users</c>: Int64(Id); <c>users.email</c>: String(Email) → value Int64(Id); <c>users.age</c>:
/// Int32(Age) + Int64(Id), empty value, so one age's entries are a prefix range in Id order. Each method writes into
/// <c>destination</c> and returns the bytes written.
/// </summary>
internal static class UserKeys
{
    public const string Users = "users";
    public const string ByEmail = "users.email";
    public const string ByAge = "users.age";
    public const int MaxIdLength = 9;
    public const int MaxAgeLength = 5;
    public const int MaxAgeEntryLength = MaxAgeLength + MaxIdLength;

    /// <summary>Writes Int64(<paramref name="id"/>).</summary>
    public static Span<byte> Id(long id, Span<byte> destination)
    {
        var key = new KeyWriter(destination);
        key.WriteInt64(id);
        return destination[..key.WrittenSpan.Length];
    }

    /// <summary>Writes Int32(<paramref name="age"/>), the prefix of one age's index entries.</summary>
    public static Span<byte> AgePrefix(int age, Span<byte> destination)
    {
        var key = new KeyWriter(destination);
        key.WriteInt32(age);
        return destination[..key.WrittenSpan.Length];
    }

    /// <summary>Writes Int32(<paramref name="age"/>) + Int64(<paramref name="id"/>).</summary>
    public static Span<byte> AgeEntry(int age, long id, Span<byte> destination)
    {
        var key = new KeyWriter(destination);
        key.WriteInt32(age);
        key.WriteInt64(id);
        return destination[..key.WrittenSpan.Length];
    }
}
