// A document type for the planner's combination cap: one non-unique composite index Place on (Region, Aisle, Shelf,
// Weight), so that In lists on its three leading members multiply and a range may bound the next one. Its "generated"
// code is written by hand, as Collections/PurchaseGenerated.g.cs is.
#nullable enable

namespace Persistence.Tests.Query
{
    public sealed class Stock
    {
        public long Id { get; init; }

        /// <summary>Leads the Place index.</summary>
        public int Region { get; set; }

        public int Aisle { get; set; }

        public int Shelf { get; set; }

        public int Weight { get; set; }
    }

    public sealed class StockCollection : global::Persistence.Collections.Collection<Stock, long>
    {
        public StockCollection(global::Persistence.Database database)
            : base(database, StockSchema.Instance)
        {
        }

        public static StockFields Fields => StockFields.Instance;

        public global::Persistence.Query.Query<Stock, long, StockFields> Query(global::Persistence.Transaction? transaction = null)
            => new(this, StockFields.Instance, transaction);
    }

    public sealed class StockFields
    {
        internal static readonly StockFields Instance = new();

        private StockFields()
        {
        }

        public global::Persistence.Query.Field<Stock, long> Id { get; } = new("Id", static d => d.Id,
            static (ref global::Persistence.Serialization.KeyWriter w, long v) => w.WriteInt64(v), Comparer<long>.Default, [], true, false);

        public global::Persistence.Query.Field<Stock, int> Region { get; } = new("Region", static d => d.Region,
            static (ref global::Persistence.Serialization.KeyWriter w, int v) => w.WriteInt32(v), Comparer<int>.Default, [0], false, false);

        public global::Persistence.Query.Field<Stock, int> Aisle { get; } = new("Aisle", static d => d.Aisle,
            static (ref global::Persistence.Serialization.KeyWriter w, int v) => w.WriteInt32(v), Comparer<int>.Default, [], false, false);

        public global::Persistence.Query.Field<Stock, int> Shelf { get; } = new("Shelf", static d => d.Shelf,
            static (ref global::Persistence.Serialization.KeyWriter w, int v) => w.WriteInt32(v), Comparer<int>.Default, [], false, false);

        public global::Persistence.Query.Field<Stock, int> Weight { get; } = new("Weight", static d => d.Weight,
            static (ref global::Persistence.Serialization.KeyWriter w, int v) => w.WriteInt32(v), Comparer<int>.Default, [], false, false);
    }

    internal sealed class StockSchema : global::Persistence.Collections.DocumentSchema<Stock, long>
    {
        public static readonly StockSchema Instance = new();

        private StockSchema()
            : base("stock", [new PlaceIndex()], ["Int64"])
        {
        }

        public override long GetKey(Stock document) => document.Id;

        public override void WriteKey(ref global::Persistence.Serialization.KeyWriter writer, long key) => writer.WriteInt64(key);

        public override long ReadKey(ref global::Persistence.Serialization.KeyReader reader) => reader.ReadInt64();

        public override void Serialize(ref global::Persistence.Serialization.MessagePackWriter writer, Stock document)
        {
            writer.WriteMapHeader(4);
            writer.WriteStringUtf8("Region"u8);
            writer.Write(document.Region);
            writer.WriteStringUtf8("Aisle"u8);
            writer.Write(document.Aisle);
            writer.WriteStringUtf8("Shelf"u8);
            writer.Write(document.Shelf);
            writer.WriteStringUtf8("Weight"u8);
            writer.Write(document.Weight);
        }

        public override Stock Deserialize(ref global::Persistence.Serialization.MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey)
        {
            var keyReader = new global::Persistence.Serialization.KeyReader(primaryKey);
            var document = new Stock { Id = keyReader.ReadInt64() };
            var count = reader.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                var key = reader.ReadStringSpan();
                if (key.SequenceEqual("Region"u8))
                {
                    document.Region = reader.ReadInt32();
                }
                else if (key.SequenceEqual("Aisle"u8))
                {
                    document.Aisle = reader.ReadInt32();
                }
                else if (key.SequenceEqual("Shelf"u8))
                {
                    document.Shelf = reader.ReadInt32();
                }
                else if (key.SequenceEqual("Weight"u8))
                {
                    document.Weight = reader.ReadInt32();
                }
                else
                {
                    reader.Skip();
                }
            }

            return document;
        }

        private sealed class PlaceIndex : global::Persistence.Collections.IndexSchema<Stock>
        {
            public PlaceIndex()
                : base("Place", false, ["Region", "Aisle", "Shelf", "Weight"], ["Int64", "Int64", "Int64", "Int64"])
            {
            }

            public override bool WriteKey(ref global::Persistence.Serialization.KeyWriter writer, Stock document)
            {
                writer.WriteInt32(document.Region);
                writer.WriteInt32(document.Aisle);
                writer.WriteInt32(document.Shelf);
                writer.WriteInt32(document.Weight);
                return true;
            }

            public override void SkipKey(ref global::Persistence.Serialization.KeyReader reader)
            {
                reader.ReadInt32();
                reader.ReadInt32();
                reader.ReadInt32();
                reader.ReadInt32();
            }
        }
    }
}
