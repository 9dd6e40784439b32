using Persistence.Collections;
using Persistence.Serialization;

namespace Persistence.Tests.Query;

/// <summary>
/// The schema of a collection "lasting-readings" of the same <see cref="Reading"/> documents whose ExpiresAt is a plain
/// member (no expiry): the generated <see cref="ReadingSchema"/> with its name and expiry replaced, so that the query
/// semantics tests run every query over documents that never expire too.
/// </summary>
internal sealed class LastingReadingSchema : DocumentSchema<Reading, long>
{
    private static readonly ReadingSchema Full = ReadingSchema.Instance;

    public static readonly LastingReadingSchema Instance = new();

    private LastingReadingSchema()
        : base("lasting-readings", Full.Indexes, Full.KeyEncodings)
    {
    }

    public override long GetKey(Reading document) => Full.GetKey(document);

    public override void WriteKey(ref KeyWriter writer, long key) => Full.WriteKey(ref writer, key);

    public override long ReadKey(ref KeyReader reader) => Full.ReadKey(ref reader);

    public override void Serialize(ref MessagePackWriter writer, Reading document) => Full.Serialize(ref writer, document);

    public override Reading Deserialize(ref MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey) => Full.Deserialize(ref reader, primaryKey);
}
