// Slot's collection as the generator of e1e7c40 emitted it (its output for Calendar/Slot.cs, the type named EarlierSlot),
// before primary keys held a DateTimeOffset as its instant: the key holds the offset ("DateTimeOffset"), and the
// document, an array, holds nil at the key member's position. Written by hand from that output, as
// tests/Persistence.Runtime.Tests keeps its "generated" collections, so that tests can store documents as that version
// did. Do not regenerate it. One change since: the unique index's Get calls GetUnique(value, writer, transaction), the
// form later versions emit, since the runtime no longer has the earlier GetUnique(byte[], transaction).
#nullable enable

namespace Persistence.Generators.Tests.Runtime.Calendar
{
    /// <summary>A slot as the earlier version stored it (see the file's header).</summary>
    public sealed partial class EarlierSlot
    {
        public DateTimeOffset Starts { get; init; }

        public string Room { get; set; } = "";

        public int Seats { get; set; }
    }
}

namespace Persistence.Generators.Tests.Runtime.Calendar
{
    /// <summary>The typed collection of <see cref="EarlierSlot"/> documents.</summary>
    public sealed partial class EarlierSlotCollection : global::Persistence.Collections.Collection<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierSlot, global::System.DateTimeOffset>
    {
        /// <summary>Binds the collection to <paramref name="database"/>, creating its keyspaces if they do not exist.</summary>
        public EarlierSlotCollection(global::Persistence.Database database)
            : base(database, EarlierSlotSchema.Instance)
        {
            ByRoom = new ByRoomIndex(this);
        }

        /// <summary>Lookups by the unique index on Room.</summary>
        public ByRoomIndex ByRoom { get; }

        /// <summary>The queryable members of <see cref="EarlierSlot"/>.</summary>
        public static EarlierSlotFields Fields => EarlierSlotFields.Instance;

        /// <summary>Starts a query; without a transaction each enumeration reads one snapshot.</summary>
        public global::Persistence.Query.Query<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierSlot, global::System.DateTimeOffset, EarlierSlotFields> Query(global::Persistence.Transaction? transaction = null)
            => new(this, EarlierSlotFields.Instance, transaction);

        /// <summary>Lookups by the unique index on Room.</summary>
        public sealed class ByRoomIndex : global::Persistence.Collections.IndexAccessor<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierSlot, global::System.DateTimeOffset>
        {
            internal ByRoomIndex(EarlierSlotCollection collection)
                : base(collection, 0)
            {
            }

            /// <summary>The document whose Room is (<paramref name="room"/>), or null.</summary>
            public global::Persistence.Generators.Tests.Runtime.Calendar.EarlierSlot? Get(string room, global::Persistence.Transaction? transaction = null)
                => GetUnique(room, static (ref global::Persistence.Serialization.KeyWriter w, string v) => w.WriteString(v), transaction);

            /// <summary>True when a document has Room (<paramref name="room"/>).</summary>
            public bool Contains(string room, global::Persistence.Transaction? transaction = null) => Get(room, transaction) is not null;
        }
    }

    /// <summary>The queryable members of <see cref="EarlierSlot"/>, for <c>Where</c> and <c>OrderBy</c>.</summary>
    public sealed class EarlierSlotFields
    {
        internal static readonly EarlierSlotFields Instance = new();

        private EarlierSlotFields()
        {
        }

        /// <summary>The Starts member.</summary>
        public global::Persistence.Query.Field<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierSlot, global::System.DateTimeOffset> Starts { get; } = new("Starts", static d => d.Starts,
            static (ref global::Persistence.Serialization.KeyWriter w, global::System.DateTimeOffset v) => w.WriteDateTimeOffset(v), global::System.Collections.Generic.Comparer<global::System.DateTimeOffset>.Default, [], true, false);

        /// <summary>The Room member.</summary>
        public global::Persistence.Query.StringField<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierSlot> Room { get; } = new("Room", static d => d.Room,
            static (ref global::Persistence.Serialization.KeyWriter w, string? v) => w.WriteString(v!), [0], false, false);

        /// <summary>The Seats member.</summary>
        public global::Persistence.Query.Field<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierSlot, int> Seats { get; } = new("Seats", static d => d.Seats,
            static (ref global::Persistence.Serialization.KeyWriter w, int v) => w.WriteInt32(v), global::System.Collections.Generic.Comparer<int>.Default, [], false, false);
    }

    /// <summary>Serializer, key encoder and indexes of <see cref="EarlierSlot"/>.</summary>
    internal sealed class EarlierSlotSchema : global::Persistence.Collections.DocumentSchema<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierSlot, global::System.DateTimeOffset>
    {
        public static readonly EarlierSlotSchema Instance = new();

        private EarlierSlotSchema()
            : base("slots", [new RoomIndex()], ["DateTimeOffset"])
        {
        }

        public override global::System.DateTimeOffset GetKey(global::Persistence.Generators.Tests.Runtime.Calendar.EarlierSlot document) => document.Starts;

        public override void WriteKey(ref global::Persistence.Serialization.KeyWriter writer, global::System.DateTimeOffset key) => writer.WriteDateTimeOffset(key);

        public override global::System.DateTimeOffset ReadKey(ref global::Persistence.Serialization.KeyReader reader) => reader.ReadDateTimeOffset();

        public override void Serialize(ref global::Persistence.Serialization.MessagePackWriter writer, global::Persistence.Generators.Tests.Runtime.Calendar.EarlierSlot document)
        {
            writer.WriteArrayHeader(3);
            writer.WriteNil(); // held by the key
            writer.WriteString(document.Room ?? throw new global::Persistence.PersistenceSerializationException("EarlierSlot.Room is null, but its type is not nullable: it cannot be stored."));
            writer.Write(document.Seats);
        }

        public override global::Persistence.Generators.Tests.Runtime.Calendar.EarlierSlot Deserialize(ref global::Persistence.Serialization.MessagePackReader reader, scoped global::System.ReadOnlySpan<byte> primaryKey)
        {
            global::System.DateTimeOffset valueStarts = default;
            string valueRoom = default!;
            var hasRoom = false;
            int valueSeats = default;
            var hasSeats = false;
            var keyReader = new global::Persistence.Serialization.KeyReader(primaryKey);
            valueStarts = keyReader.ReadDateTimeOffset();
            var isArray = reader.PeekType() == global::Persistence.Serialization.MessagePackType.Array;
            var count = isArray ? reader.ReadArrayHeader() : reader.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                var tag = i + 1;
                if (isArray || reader.TryReadInt32(out tag))
                {
                    switch (tag)
                    {
                        case 2:
                            valueRoom = reader.TryReadNil() ? throw new global::Persistence.PersistenceSerializationException("EarlierSlot.Room is nil in the document, but its type is not nullable.") : reader.ReadString();
                            hasRoom = true;
                            continue;
                        case 3:
                            valueSeats = reader.ReadInt32();
                            hasSeats = true;
                            continue;
                        default:
                            reader.Skip();
                            continue;
                    }
                }

                reader.Skip();
                reader.Skip();
            }

            var document = new global::Persistence.Generators.Tests.Runtime.Calendar.EarlierSlot()
            {
                Starts = valueStarts,
            };

            if (hasRoom)
            {
                document.Room = valueRoom;
            }

            if (hasSeats)
            {
                document.Seats = valueSeats;
            }
            return document;
        }

        private sealed class RoomIndex : global::Persistence.Collections.IndexSchema<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierSlot>
        {
            public RoomIndex()
                : base("Room", true, ["Room"], ["String"])
            {
            }

            public override bool WriteKey(ref global::Persistence.Serialization.KeyWriter writer, global::Persistence.Generators.Tests.Runtime.Calendar.EarlierSlot document)
            {
                writer.WriteString(document.Room ?? throw new global::Persistence.PersistenceSerializationException("EarlierSlot.Room is null, but its type is not nullable: it cannot be stored."));
                return true;
            }

            public override void SkipKey(ref global::Persistence.Serialization.KeyReader reader) => reader.ReadString();
        }
    }
}
