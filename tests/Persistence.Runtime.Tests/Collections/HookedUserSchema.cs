using Persistence.Collections;
using Persistence.Serialization;

namespace Persistence.Tests.Collections;

/// <summary>
/// <see cref="UserSchema"/> as another version of the application might declare "users": with or without its expiry
/// member, with the given indexes, and <paramref name="onDecode"/> called on every document decoded (tests that count
/// decodes or interrupt one).
/// </summary>
internal sealed class HookedUserSchema(bool expires, IReadOnlyList<IndexSchema<User>> indexes, Action? onDecode)
    : DocumentSchema<User, long>("users", indexes, UserSchema.Instance.KeyEncodings, expires ? UserSchema.Instance.ExpiresAtMember : null)
{
    private static readonly UserSchema Full = UserSchema.Instance;

    public override bool HasExpiresAt => expires;

    public override long GetKey(User document) => Full.GetKey(document);

    public override void WriteKey(ref KeyWriter writer, long key) => Full.WriteKey(ref writer, key);

    public override long ReadKey(ref KeyReader reader) => Full.ReadKey(ref reader);

    public override void Serialize(ref MessagePackWriter writer, User document) => Full.Serialize(ref writer, document);

    public override User Deserialize(ref MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey)
    {
        onDecode?.Invoke();
        return Full.Deserialize(ref reader, primaryKey);
    }

    public override DateTimeOffset? GetExpiresAt(User document) => expires ? document.ExpiresAt : null;
}
