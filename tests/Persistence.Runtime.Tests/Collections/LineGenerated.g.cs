// A document type with a composite primary key (Order, No), for the query review tests; its "generated" code is
// written by hand, as UserGenerated.g.cs is.
#nullable enable

namespace Persistence.Tests.Collections
{
    public sealed class Line
    {
        public int Order { get; init; }

        public int No { get; init; }

        public string Note { get; set; } = "";
    }

    public sealed class LineCollection : global::Persistence.Collections.Collection<Line, (int Order, int No)>
    {
        public LineCollection(global::Persistence.Database database)
            : base(database, LineSchema.Instance)
        {
        }

        public global::Persistence.Query.Query<Line, (int Order, int No), LineFields> Query(global::Persistence.Transaction? transaction = null)
            => new(this, LineFields.Instance, transaction);
    }

    public sealed class LineFields
    {
        internal static readonly LineFields Instance = new();

        private LineFields()
        {
        }

        public global::Persistence.Query.Field<Line, int> Order { get; } = new("Order", static d => d.Order,
            static (ref global::Persistence.Serialization.KeyWriter w, int v) => w.WriteInt32(v), Comparer<int>.Default, [], true, false);

        public global::Persistence.Query.Field<Line, int> No { get; } = new("No", static d => d.No,
            static (ref global::Persistence.Serialization.KeyWriter w, int v) => w.WriteInt32(v), Comparer<int>.Default, [], false, false);

        public global::Persistence.Query.StringField<Line> Note { get; } = new("Note", static d => d.Note,
            static (ref global::Persistence.Serialization.KeyWriter w, string? v) => w.WriteString(v!), [], false, false);
    }

    internal sealed class LineSchema : global::Persistence.Collections.DocumentSchema<Line, (int Order, int No)>
    {
        public static readonly LineSchema Instance = new();

        private LineSchema()
            : base("lines", [], ["Int64", "Int64"])
        {
        }

        public override (int Order, int No) GetKey(Line document) => (document.Order, document.No);

        public override void WriteKey(ref global::Persistence.Serialization.KeyWriter writer, (int Order, int No) key)
        {
            writer.WriteInt32(key.Order);
            writer.WriteInt32(key.No);
        }

        public override (int Order, int No) ReadKey(ref global::Persistence.Serialization.KeyReader reader) => (reader.ReadInt32(), reader.ReadInt32());

        public override void Serialize(ref global::Persistence.Serialization.MessagePackWriter writer, Line document)
        {
            writer.WriteMapHeader(1);
            writer.WriteStringUtf8("Note"u8);
            writer.WriteString(document.Note);
        }

        public override Line Deserialize(ref global::Persistence.Serialization.MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey)
        {
            var keyReader = new global::Persistence.Serialization.KeyReader(primaryKey);
            var order = keyReader.ReadInt32();
            var no = keyReader.ReadInt32();
            var note = "";
            var count = reader.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                if (reader.ReadStringSpan().SequenceEqual("Note"u8))
                {
                    note = reader.ReadNullableString() ?? "";
                }
                else
                {
                    reader.Skip();
                }
            }

            return new Line { Order = order, No = no, Note = note };
        }
    }
}
