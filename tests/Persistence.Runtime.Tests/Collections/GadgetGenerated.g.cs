// A document type for the query review tests, with what User lacks: a nullable unique index, a nullable non-unique
// index, an indexed DateTimeOffset, and no expiry (so Count can answer from index entries alone). Its "generated"
// code is written by hand, as UserGenerated.g.cs is.
#nullable enable

namespace Persistence.Tests.Collections
{
    public sealed class Gadget
    {
        public long Id { get; init; }

        /// <summary>Unique index, nullable (documents with a null code have no entry).</summary>
        public string? Code { get; set; }

        /// <summary>Non-unique index, nullable.</summary>
        public int? Rank { get; set; }

        /// <summary>Non-unique index.</summary>
        public DateTimeOffset When { get; set; }

        /// <summary>Not indexed.</summary>
        public string Label { get; set; } = "";
    }

    public sealed class GadgetCollection : global::Persistence.Collections.Collection<Gadget, long>
    {
        public GadgetCollection(global::Persistence.Database database)
            : base(database, GadgetSchema.Instance)
        {
        }

        public static GadgetFields Fields => GadgetFields.Instance;

        public global::Persistence.Query.Query<Gadget, long, GadgetFields> Query(global::Persistence.Transaction? transaction = null)
            => new(this, GadgetFields.Instance, transaction);
    }

    public sealed class GadgetFields
    {
        internal static readonly GadgetFields Instance = new();

        private GadgetFields()
        {
        }

        public global::Persistence.Query.Field<Gadget, long> Id { get; } = new("Id", static d => d.Id,
            static (ref global::Persistence.Serialization.KeyWriter w, long v) => w.WriteInt64(v), Comparer<long>.Default, [], true, false);

        public global::Persistence.Query.StringField<Gadget> Code { get; } = new("Code", static d => d.Code,
            static (ref global::Persistence.Serialization.KeyWriter w, string? v) => w.WriteNullableString(v), [0], false, true);

        public global::Persistence.Query.Field<Gadget, int?> Rank { get; } = new("Rank", static d => d.Rank,
            static (ref global::Persistence.Serialization.KeyWriter w, int? v) => w.WriteNullableInt32(v), Comparer<int?>.Default, [1], false, true);

        public global::Persistence.Query.Field<Gadget, DateTimeOffset> When { get; } = new("When", static d => d.When,
            static (ref global::Persistence.Serialization.KeyWriter w, DateTimeOffset v) => w.WriteDateTimeOffsetInstant(v), Comparer<DateTimeOffset>.Default, [2], false, false);

        public global::Persistence.Query.StringField<Gadget> Label { get; } = new("Label", static d => d.Label,
            static (ref global::Persistence.Serialization.KeyWriter w, string? v) => w.WriteString(v!), [], false, false);
    }

    internal sealed class GadgetSchema : global::Persistence.Collections.DocumentSchema<Gadget, long>
    {
        public static readonly GadgetSchema Instance = new();

        private GadgetSchema()
            : base("gadgets", [new CodeIndex(), new RankIndex(), new WhenIndex()], ["Int64"])
        {
        }

        public override long GetKey(Gadget document) => document.Id;

        public override void WriteKey(ref global::Persistence.Serialization.KeyWriter writer, long key) => writer.WriteInt64(key);

        public override long ReadKey(ref global::Persistence.Serialization.KeyReader reader) => reader.ReadInt64();

        public override void Serialize(ref global::Persistence.Serialization.MessagePackWriter writer, Gadget document)
        {
            writer.WriteMapHeader(4);
            writer.WriteStringUtf8("Code"u8);
            writer.WriteString(document.Code);
            writer.WriteStringUtf8("Rank"u8);
            if (document.Rank is { } rank)
            {
                writer.Write(rank);
            }
            else
            {
                writer.WriteNil();
            }

            writer.WriteStringUtf8("When"u8);
            writer.Write(document.When);
            writer.WriteStringUtf8("Label"u8);
            writer.WriteString(document.Label);
        }

        public override Gadget Deserialize(ref global::Persistence.Serialization.MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey)
        {
            var keyReader = new global::Persistence.Serialization.KeyReader(primaryKey);
            var document = new Gadget { Id = keyReader.ReadInt64() };
            var count = reader.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                var key = reader.ReadStringSpan();
                if (key.SequenceEqual("Code"u8))
                {
                    document.Code = reader.ReadNullableString();
                }
                else if (key.SequenceEqual("Rank"u8))
                {
                    document.Rank = reader.TryReadNil() ? null : reader.ReadInt32();
                }
                else if (key.SequenceEqual("When"u8))
                {
                    document.When = reader.ReadDateTimeOffset();
                }
                else if (key.SequenceEqual("Label"u8))
                {
                    document.Label = reader.ReadNullableString()!;
                }
                else
                {
                    reader.Skip();
                }
            }

            return document;
        }

        private sealed class CodeIndex : global::Persistence.Collections.IndexSchema<Gadget>
        {
            public CodeIndex()
                : base("Code", true, ["Code"], ["NullableString"])
            {
            }

            public override bool WriteKey(ref global::Persistence.Serialization.KeyWriter writer, Gadget document)
            {
                if (document.Code is null)
                {
                    return false; // a unique index holds no entry for a null value
                }

                writer.WriteNullableString(document.Code);
                return true;
            }

            public override void SkipKey(ref global::Persistence.Serialization.KeyReader reader) => reader.ReadNullableString();
        }

        private sealed class RankIndex : global::Persistence.Collections.IndexSchema<Gadget>
        {
            public RankIndex()
                : base("Rank", false, ["Rank"], ["NullableInt64"])
            {
            }

            public override bool WriteKey(ref global::Persistence.Serialization.KeyWriter writer, Gadget document)
            {
                writer.WriteNullableInt32(document.Rank);
                return true;
            }

            public override void SkipKey(ref global::Persistence.Serialization.KeyReader reader) => reader.ReadNullableInt32();
        }

        private sealed class WhenIndex : global::Persistence.Collections.IndexSchema<Gadget>
        {
            public WhenIndex()
                : base("When", false, ["When"], ["DateTimeOffsetInstant"])
            {
            }

            public override bool WriteKey(ref global::Persistence.Serialization.KeyWriter writer, Gadget document)
            {
                writer.WriteDateTimeOffsetInstant(document.When);
                return true;
            }

            public override void SkipKey(ref global::Persistence.Serialization.KeyReader reader) => reader.ReadDateTimeOffsetInstant();
        }
    }
}
