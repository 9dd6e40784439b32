// A document type for the query planner tests, with composite indexes: (CustomerId, PlacedAt), (Channel, Total) led by
// a nullable member, and a unique (CustomerId, Seq); and single-member indexes on Level and Total. Its "generated" code
// is written by hand, as UserGenerated.g.cs is.
#nullable enable

namespace Persistence.Tests.Collections
{
    public sealed class Purchase
    {
        public long Id { get; init; }

        public int CustomerId { get; set; }

        /// <summary>Second member of the CustomerPlaced index; leads none.</summary>
        public DateTimeOffset PlacedAt { get; set; }

        public int Total { get; set; }

        public int Level { get; set; }

        /// <summary>Leads the ChannelTotal index; nullable.</summary>
        public string? Channel { get; set; }

        /// <summary>Second member of the unique CustomerSeq index.</summary>
        public int Seq { get; set; }

        public string Note { get; set; } = "";
    }

    public sealed class PurchaseCollection : global::Persistence.Collections.Collection<Purchase, long>
    {
        public PurchaseCollection(global::Persistence.Database database)
            : base(database, PurchaseSchema.Instance)
        {
        }

        public static PurchaseFields Fields => PurchaseFields.Instance;

        public global::Persistence.Query.Query<Purchase, long, PurchaseFields> Query(global::Persistence.Transaction? transaction = null)
            => new(this, PurchaseFields.Instance, transaction);
    }

    public sealed class PurchaseFields
    {
        internal static readonly PurchaseFields Instance = new();

        private PurchaseFields()
        {
        }

        public global::Persistence.Query.Field<Purchase, long> Id { get; } = new("Id", static d => d.Id,
            static (ref global::Persistence.Serialization.KeyWriter w, long v) => w.WriteInt64(v), Comparer<long>.Default, [], true, false);

        public global::Persistence.Query.Field<Purchase, int> CustomerId { get; } = new("CustomerId", static d => d.CustomerId,
            static (ref global::Persistence.Serialization.KeyWriter w, int v) => w.WriteInt32(v), Comparer<int>.Default, [2, 4], false, false);

        public global::Persistence.Query.Field<Purchase, DateTimeOffset> PlacedAt { get; } = new("PlacedAt", static d => d.PlacedAt,
            static (ref global::Persistence.Serialization.KeyWriter w, DateTimeOffset v) => w.WriteDateTimeOffsetInstant(v), Comparer<DateTimeOffset>.Default, [], false, false);

        public global::Persistence.Query.Field<Purchase, int> Total { get; } = new("Total", static d => d.Total,
            static (ref global::Persistence.Serialization.KeyWriter w, int v) => w.WriteInt32(v), Comparer<int>.Default, [1], false, false);

        public global::Persistence.Query.Field<Purchase, int> Level { get; } = new("Level", static d => d.Level,
            static (ref global::Persistence.Serialization.KeyWriter w, int v) => w.WriteInt32(v), Comparer<int>.Default, [0], false, false);

        public global::Persistence.Query.StringField<Purchase> Channel { get; } = new("Channel", static d => d.Channel,
            static (ref global::Persistence.Serialization.KeyWriter w, string? v) => w.WriteNullableString(v), [3], false, true);

        public global::Persistence.Query.Field<Purchase, int> Seq { get; } = new("Seq", static d => d.Seq,
            static (ref global::Persistence.Serialization.KeyWriter w, int v) => w.WriteInt32(v), Comparer<int>.Default, [], false, false);

        public global::Persistence.Query.StringField<Purchase> Note { get; } = new("Note", static d => d.Note,
            static (ref global::Persistence.Serialization.KeyWriter w, string? v) => w.WriteString(v!), [], false, false);
    }

    internal sealed class PurchaseSchema : global::Persistence.Collections.DocumentSchema<Purchase, long>
    {
        public static readonly PurchaseSchema Instance = new();

        private PurchaseSchema()
            : base("purchases", [new LevelIndex(), new TotalIndex(), new CustomerPlacedIndex(), new ChannelTotalIndex(), new CustomerSeqIndex()], ["Int64"])
        {
        }

        public override long GetKey(Purchase document) => document.Id;

        public override void WriteKey(ref global::Persistence.Serialization.KeyWriter writer, long key) => writer.WriteInt64(key);

        public override long ReadKey(ref global::Persistence.Serialization.KeyReader reader) => reader.ReadInt64();

        public override void Serialize(ref global::Persistence.Serialization.MessagePackWriter writer, Purchase document)
        {
            writer.WriteMapHeader(7);
            writer.WriteStringUtf8("CustomerId"u8);
            writer.Write(document.CustomerId);
            writer.WriteStringUtf8("PlacedAt"u8);
            writer.Write(document.PlacedAt);
            writer.WriteStringUtf8("Total"u8);
            writer.Write(document.Total);
            writer.WriteStringUtf8("Level"u8);
            writer.Write(document.Level);
            writer.WriteStringUtf8("Channel"u8);
            writer.WriteString(document.Channel);
            writer.WriteStringUtf8("Seq"u8);
            writer.Write(document.Seq);
            writer.WriteStringUtf8("Note"u8);
            writer.WriteString(document.Note);
        }

        public override Purchase Deserialize(ref global::Persistence.Serialization.MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey)
        {
            var keyReader = new global::Persistence.Serialization.KeyReader(primaryKey);
            var document = new Purchase { Id = keyReader.ReadInt64() };
            var count = reader.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                var key = reader.ReadStringSpan();
                if (key.SequenceEqual("CustomerId"u8))
                {
                    document.CustomerId = reader.ReadInt32();
                }
                else if (key.SequenceEqual("PlacedAt"u8))
                {
                    document.PlacedAt = reader.ReadDateTimeOffset();
                }
                else if (key.SequenceEqual("Total"u8))
                {
                    document.Total = reader.ReadInt32();
                }
                else if (key.SequenceEqual("Level"u8))
                {
                    document.Level = reader.ReadInt32();
                }
                else if (key.SequenceEqual("Channel"u8))
                {
                    document.Channel = reader.ReadNullableString();
                }
                else if (key.SequenceEqual("Seq"u8))
                {
                    document.Seq = reader.ReadInt32();
                }
                else if (key.SequenceEqual("Note"u8))
                {
                    document.Note = reader.ReadNullableString() ?? "";
                }
                else
                {
                    reader.Skip();
                }
            }

            return document;
        }

        private sealed class LevelIndex : global::Persistence.Collections.IndexSchema<Purchase>
        {
            public LevelIndex()
                : base("Level", false, ["Level"], ["Int64"])
            {
            }

            public override bool WriteKey(ref global::Persistence.Serialization.KeyWriter writer, Purchase document)
            {
                writer.WriteInt32(document.Level);
                return true;
            }

            public override void SkipKey(ref global::Persistence.Serialization.KeyReader reader) => reader.ReadInt32();
        }

        private sealed class TotalIndex : global::Persistence.Collections.IndexSchema<Purchase>
        {
            public TotalIndex()
                : base("Total", false, ["Total"], ["Int64"])
            {
            }

            public override bool WriteKey(ref global::Persistence.Serialization.KeyWriter writer, Purchase document)
            {
                writer.WriteInt32(document.Total);
                return true;
            }

            public override void SkipKey(ref global::Persistence.Serialization.KeyReader reader) => reader.ReadInt32();
        }

        private sealed class CustomerPlacedIndex : global::Persistence.Collections.IndexSchema<Purchase>
        {
            public CustomerPlacedIndex()
                : base("CustomerPlaced", false, ["CustomerId", "PlacedAt"], ["Int64", "DateTimeOffsetInstant"])
            {
            }

            public override bool WriteKey(ref global::Persistence.Serialization.KeyWriter writer, Purchase document)
            {
                writer.WriteInt32(document.CustomerId);
                writer.WriteDateTimeOffsetInstant(document.PlacedAt);
                return true;
            }

            public override void SkipKey(ref global::Persistence.Serialization.KeyReader reader)
            {
                reader.ReadInt32();
                reader.ReadDateTimeOffsetInstant();
            }
        }

        private sealed class ChannelTotalIndex : global::Persistence.Collections.IndexSchema<Purchase>
        {
            public ChannelTotalIndex()
                : base("ChannelTotal", false, ["Channel", "Total"], ["NullableString", "Int64"])
            {
            }

            public override bool WriteKey(ref global::Persistence.Serialization.KeyWriter writer, Purchase document)
            {
                writer.WriteNullableString(document.Channel);
                writer.WriteInt32(document.Total);
                return true;
            }

            public override void SkipKey(ref global::Persistence.Serialization.KeyReader reader)
            {
                reader.ReadNullableString();
                reader.ReadInt32();
            }
        }

        private sealed class CustomerSeqIndex : global::Persistence.Collections.IndexSchema<Purchase>
        {
            public CustomerSeqIndex()
                : base("CustomerSeq", true, ["CustomerId", "Seq"], ["Int64", "Int64"])
            {
            }

            public override bool WriteKey(ref global::Persistence.Serialization.KeyWriter writer, Purchase document)
            {
                writer.WriteInt32(document.CustomerId);
                writer.WriteInt32(document.Seq);
                return true;
            }

            public override void SkipKey(ref global::Persistence.Serialization.KeyReader reader)
            {
                reader.ReadInt32();
                reader.ReadInt32();
            }
        }
    }
}
