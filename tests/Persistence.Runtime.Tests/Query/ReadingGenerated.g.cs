// A document type for the query semantics review: members whose comparers and key encodings meet at edges (a nullable
// double with NaN, infinities and both zeros; a decimal with several scales; a DateTime of every Kind; an sbyte enum at
// its extremes; a nullable string with characters above U+FFFF and in U+E000-U+FFFF) and an expiry (or none: ReadingSchema.Lasting). Indexes: Score
// (non-unique), Price (non-unique), At (non-unique), TierScore (non-unique, composite) and Name (unique, nullable). Its
// "generated" code is written by hand, as Collections/PurchaseGenerated.g.cs is, with the fields, comparers, key
// writers and encodings the generator emits for these member types.
#nullable enable

namespace Persistence.Tests.Query
{
    public enum Tier : sbyte
    {
        Lowest = sbyte.MinValue,
        Low = -1,
        Mid = 0,
        High = 1,
        Highest = sbyte.MaxValue,
    }

    public sealed class Reading
    {
        public long Id { get; init; }

        public double? Score { get; set; }

        public decimal Price { get; set; }

        public DateTime At { get; set; }

        public Tier Tier { get; set; }

        public string? Name { get; set; }

        public DateTimeOffset? ExpiresAt { get; set; }
    }

    public sealed class ReadingCollection : global::Persistence.Collections.Collection<Reading, long>
    {
        /// <param name="expiring">False for a collection of the same documents whose ExpiresAt is a plain member (no expiry).</param>
        public ReadingCollection(global::Persistence.Database database, bool expiring = true)
            : base(database, expiring ? ReadingSchema.Instance : ReadingSchema.Lasting)
        {
        }

        public static ReadingFields Fields => ReadingFields.Instance;

        public ByScoreIndex ByScore => field ??= new(this);

        public ByTierScoreIndex ByTierScore => field ??= new(this);

        public global::Persistence.Query.Query<Reading, long, ReadingFields> Query(global::Persistence.Transaction? transaction = null)
            => new(this, ReadingFields.Instance, transaction);
    }

    /// <summary>The accessor the generator emits for the non-unique index on the nullable Score.</summary>
    public sealed class ByScoreIndex : global::Persistence.Collections.IndexAccessor<Reading, long>
    {
        internal ByScoreIndex(ReadingCollection collection)
            : base(collection, 0)
        {
        }

        public IEnumerable<Reading> Find(double? score, global::Persistence.Transaction? transaction = null)
            => Scan(global::Persistence.KeyRange.Prefix(Key(score)), false, transaction);

        public IEnumerable<Reading> Range(double? from, double? to, bool descending = false, global::Persistence.Transaction? transaction = null)
            => Scan(global::Persistence.KeyRange.Between(Key(from), Key(to)), descending, transaction);

        public IEnumerable<Reading> All(bool descending = false, global::Persistence.Transaction? transaction = null)
            => Scan(global::Persistence.KeyRange.All, descending, transaction);

        public long Count(double? score, global::Persistence.Transaction? transaction = null)
            => CountRange(global::Persistence.KeyRange.Prefix(Key(score)), transaction);

        private static byte[] Key(double? score) => Encode(score, static (ref global::Persistence.Serialization.KeyWriter w, double? v) => w.WriteNullableDouble(v));
    }

    /// <summary>The accessor the generator emits for the composite index (Tier, Score): a prefix of one member.</summary>
    public sealed class ByTierScoreIndex : global::Persistence.Collections.IndexAccessor<Reading, long>
    {
        internal ByTierScoreIndex(ReadingCollection collection)
            : base(collection, 3)
        {
        }

        public IEnumerable<Reading> Find(Tier tier, double? score, global::Persistence.Transaction? transaction = null)
            => Scan(global::Persistence.KeyRange.Prefix(Key(tier, score)), false, transaction);

        public IEnumerable<Reading> FindByPrefix(Tier tier, global::Persistence.Transaction? transaction = null)
            => Scan(global::Persistence.KeyRange.Prefix(Key(tier)), false, transaction);

        public long CountByPrefix(Tier tier, global::Persistence.Transaction? transaction = null)
            => CountRange(global::Persistence.KeyRange.Prefix(Key(tier)), transaction);

        private static byte[] Key(Tier tier) => Encode(tier, static (ref global::Persistence.Serialization.KeyWriter w, Tier v) => w.WriteSByte((sbyte)v));

        private static byte[] Key(Tier tier, double? score)
        {
            var writer = new global::Persistence.Serialization.KeyWriter(stackalloc byte[64]);
            try
            {
                writer.WriteSByte((sbyte)tier);
                writer.WriteNullableDouble(score);
                return writer.ToArray();
            }
            finally
            {
                writer.Dispose();
            }
        }
    }

    public sealed class ReadingFields
    {
        internal static readonly ReadingFields Instance = new();

        private ReadingFields()
        {
        }

        public global::Persistence.Query.Field<Reading, long> Id { get; } = new("Id", static d => d.Id,
            static (ref global::Persistence.Serialization.KeyWriter w, long v) => w.WriteInt64(v), Comparer<long>.Default, [], true, false);

        public global::Persistence.Query.Field<Reading, double?> Score { get; } = new("Score", static d => d.Score,
            static (ref global::Persistence.Serialization.KeyWriter w, double? v) => w.WriteNullableDouble(v), Comparer<double?>.Default, [0], false, true);

        public global::Persistence.Query.Field<Reading, decimal> Price { get; } = new("Price", static d => d.Price,
            static (ref global::Persistence.Serialization.KeyWriter w, decimal v) => w.WriteDecimal(v), Comparer<decimal>.Default, [1], false, false);

        public global::Persistence.Query.Field<Reading, DateTime> At { get; } = new("At", static d => d.At,
            static (ref global::Persistence.Serialization.KeyWriter w, DateTime v) => w.WriteDateTime(global::Persistence.Serialization.MessagePackWriter.StoredDateTime(v)),
            Comparer<DateTime>.Create(static (x, y) => global::Persistence.Serialization.MessagePackWriter.StoredDateTime(x).CompareTo(global::Persistence.Serialization.MessagePackWriter.StoredDateTime(y))),
            [2], false, false);

        public global::Persistence.Query.Field<Reading, Tier> Tier { get; } = new("Tier", static d => d.Tier,
            static (ref global::Persistence.Serialization.KeyWriter w, Tier v) => w.WriteSByte((sbyte)v), Comparer<Tier>.Default, [3], false, false);

        public global::Persistence.Query.StringField<Reading> Name { get; } = new("Name", static d => d.Name,
            static (ref global::Persistence.Serialization.KeyWriter w, string? v) => w.WriteNullableString(v), [4], false, true);

        public global::Persistence.Query.Field<Reading, DateTimeOffset?> ExpiresAt { get; } = new("ExpiresAt", static d => d.ExpiresAt,
            static (ref global::Persistence.Serialization.KeyWriter w, DateTimeOffset? v) => w.WriteNullableDateTimeOffsetInstant(v), Comparer<DateTimeOffset?>.Default, [], false, true);
    }

    internal sealed class ReadingSchema : global::Persistence.Collections.DocumentSchema<Reading, long>
    {
        public static readonly ReadingSchema Instance = new(expiring: true);

        /// <summary>The schema of a collection "lasting-readings" of the same documents without an expiry.</summary>
        public static readonly ReadingSchema Lasting = new(expiring: false);

        private readonly bool _expiring;

        private ReadingSchema(bool expiring)
            : base(expiring ? "readings" : "lasting-readings", [new ScoreIndex(), new PriceIndex(), new AtIndex(), new TierScoreIndex(), new NameIndex()],
                ["Int64"], expiring ? "ExpiresAt" : null)
        {
            _expiring = expiring;
        }

        public override long GetKey(Reading document) => document.Id;

        public override void WriteKey(ref global::Persistence.Serialization.KeyWriter writer, long key) => writer.WriteInt64(key);

        public override long ReadKey(ref global::Persistence.Serialization.KeyReader reader) => reader.ReadInt64();

        public override bool HasExpiresAt => _expiring;

        public override DateTimeOffset? GetExpiresAt(Reading document) => document.ExpiresAt;

        public override void Serialize(ref global::Persistence.Serialization.MessagePackWriter writer, Reading document)
        {
            writer.WriteMapHeader(6);
            writer.WriteStringUtf8("Score"u8);
            if (document.Score is { } score)
            {
                writer.Write(score);
            }
            else
            {
                writer.WriteNil();
            }

            writer.WriteStringUtf8("Price"u8);
            writer.Write(document.Price);
            writer.WriteStringUtf8("At"u8);
            writer.WriteTimestamp(global::Persistence.Serialization.MessagePackWriter.StoredDateTime(document.At));
            writer.WriteStringUtf8("Tier"u8);
            writer.Write((sbyte)document.Tier);
            writer.WriteStringUtf8("Name"u8);
            writer.WriteString(document.Name);
            writer.WriteStringUtf8("ExpiresAt"u8);
            if (document.ExpiresAt is { } expiresAt)
            {
                writer.Write(expiresAt);
            }
            else
            {
                writer.WriteNil();
            }
        }

        public override Reading Deserialize(ref global::Persistence.Serialization.MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey)
        {
            var keyReader = new global::Persistence.Serialization.KeyReader(primaryKey);
            var document = new Reading { Id = keyReader.ReadInt64() };
            var count = reader.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                var key = reader.ReadStringSpan();
                if (key.SequenceEqual("Score"u8))
                {
                    document.Score = reader.TryReadNil() ? null : reader.ReadDouble();
                }
                else if (key.SequenceEqual("Price"u8))
                {
                    document.Price = reader.ReadDecimal();
                }
                else if (key.SequenceEqual("At"u8))
                {
                    document.At = reader.ReadTimestamp();
                }
                else if (key.SequenceEqual("Tier"u8))
                {
                    document.Tier = (Tier)reader.ReadSByte();
                }
                else if (key.SequenceEqual("Name"u8))
                {
                    document.Name = reader.ReadNullableString();
                }
                else if (key.SequenceEqual("ExpiresAt"u8))
                {
                    document.ExpiresAt = reader.TryReadNil() ? null : reader.ReadDateTimeOffset();
                }
                else
                {
                    reader.Skip();
                }
            }

            return document;
        }

        private sealed class ScoreIndex : global::Persistence.Collections.IndexSchema<Reading>
        {
            public ScoreIndex()
                : base("Score", false, ["Score"], ["NullableDouble"])
            {
            }

            public override bool WriteKey(ref global::Persistence.Serialization.KeyWriter writer, Reading document)
            {
                writer.WriteNullableDouble(document.Score);
                return true;
            }

            public override void SkipKey(ref global::Persistence.Serialization.KeyReader reader) => reader.ReadNullableDouble();
        }

        private sealed class PriceIndex : global::Persistence.Collections.IndexSchema<Reading>
        {
            public PriceIndex()
                : base("Price", false, ["Price"], ["Decimal"])
            {
            }

            public override bool WriteKey(ref global::Persistence.Serialization.KeyWriter writer, Reading document)
            {
                writer.WriteDecimal(document.Price);
                return true;
            }

            public override void SkipKey(ref global::Persistence.Serialization.KeyReader reader) => reader.ReadDecimal();
        }

        private sealed class AtIndex : global::Persistence.Collections.IndexSchema<Reading>
        {
            public AtIndex()
                : base("At", false, ["At"], ["DateTime"])
            {
            }

            public override bool WriteKey(ref global::Persistence.Serialization.KeyWriter writer, Reading document)
            {
                writer.WriteDateTime(global::Persistence.Serialization.MessagePackWriter.StoredDateTime(document.At));
                return true;
            }

            public override void SkipKey(ref global::Persistence.Serialization.KeyReader reader) => reader.ReadDateTime();
        }

        private sealed class TierScoreIndex : global::Persistence.Collections.IndexSchema<Reading>
        {
            public TierScoreIndex()
                : base("TierScore", false, ["Tier", "Score"], ["SByte", "NullableDouble"])
            {
            }

            public override bool WriteKey(ref global::Persistence.Serialization.KeyWriter writer, Reading document)
            {
                writer.WriteSByte((sbyte)document.Tier);
                writer.WriteNullableDouble(document.Score);
                return true;
            }

            public override void SkipKey(ref global::Persistence.Serialization.KeyReader reader)
            {
                reader.ReadSByte();
                reader.ReadNullableDouble();
            }
        }

        private sealed class NameIndex : global::Persistence.Collections.IndexSchema<Reading>
        {
            public NameIndex()
                : base("Name", true, ["Name"], ["NullableString"])
            {
            }

            public override bool WriteKey(ref global::Persistence.Serialization.KeyWriter writer, Reading document)
            {
                if (document.Name is null)
                {
                    return false; // a unique index holds no entry for a null value
                }

                writer.WriteNullableString(document.Name);
                return true;
            }

            public override void SkipKey(ref global::Persistence.Serialization.KeyReader reader) => reader.ReadNullableString();
        }
    }
}
