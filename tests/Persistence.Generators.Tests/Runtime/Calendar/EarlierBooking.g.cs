// Booking's collection as the generator of e1e7c40 emitted it (its output for Golden/Bookings.input.cs, the type named
// EarlierBooking and moved to this namespace), before primary keys held a DateTimeOffset as its instant and a DateTime
// as stored: the key holds the offset and the Kind ("DateTimeOffset", "DateTime"), and the document leaves out the
// DateTimeOffset key member. Written by hand from that output, as tests/Persistence.Runtime.Tests keeps its
// "generated" collections, so that tests can store documents as that version did. Do not regenerate it. One change
// since: the unique index's Get calls GetUnique(value, writer, transaction), the form later versions emit, since the
// runtime no longer has the earlier GetUnique(byte[], transaction).
#nullable enable

namespace Persistence.Generators.Tests.Runtime.Calendar
{
    /// <summary>A booking as the earlier version stored it (see the file's header).</summary>
    public sealed partial class EarlierBooking
    {
        public DateTimeOffset Starts { get; init; }

        public DateTime Logged { get; init; }

        public string Room { get; init; } = "";

        public string Guest { get; set; } = "";

        public int? Ticket { get; set; }

        public DateTimeOffset? Until { get; set; }
    }
}

namespace Persistence.Generators.Tests.Runtime.Calendar
{
    /// <summary>The primary key of <see cref="EarlierBooking"/>: Starts, then Logged, then Room.</summary>
    /// <param name="Starts">The key's Starts.</param>
    /// <param name="Logged">The key's Logged.</param>
    /// <param name="Room">The key's Room.</param>
    public readonly record struct EarlierBookingKey(global::System.DateTimeOffset Starts, global::System.DateTime Logged, string Room);

    /// <summary>The typed collection of <see cref="EarlierBooking"/> documents.</summary>
    public sealed partial class EarlierBookingCollection : global::Persistence.Collections.Collection<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking, global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBookingKey>
    {
        /// <summary>Binds the collection to <paramref name="database"/>, creating its keyspaces if they do not exist.</summary>
        public EarlierBookingCollection(global::Persistence.Database database)
            : base(database, EarlierBookingSchema.Instance)
        {
            ByGuestStarts = new ByGuestStartsIndex(this);
            ByGuest = new ByGuestIndex(this);
            ByTicket = new ByTicketIndex(this);
        }

        /// <summary>Ordered scans of the index on (Guest, Starts).</summary>
        public ByGuestStartsIndex ByGuestStarts { get; }

        /// <summary>Ordered scans of the index on Guest.</summary>
        public ByGuestIndex ByGuest { get; }

        /// <summary>Lookups by the unique index on Ticket.</summary>
        public ByTicketIndex ByTicket { get; }

        /// <summary>The queryable members of <see cref="EarlierBooking"/>.</summary>
        public static EarlierBookingFields Fields => EarlierBookingFields.Instance;

        /// <summary>Starts a query; without a transaction each enumeration reads one snapshot.</summary>
        public global::Persistence.Query.Query<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking, global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBookingKey, EarlierBookingFields> Query(global::Persistence.Transaction? transaction = null)
            => new(this, EarlierBookingFields.Instance, transaction);

        /// <summary>The document with primary key (<paramref name="starts"/>, <paramref name="logged"/>, <paramref name="room"/>), or null.</summary>
        public global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking? Get(global::System.DateTimeOffset starts, global::System.DateTime logged, string room, global::Persistence.Transaction? transaction = null)
            => Get(new EarlierBookingKey(starts, logged, room), transaction);

        /// <summary>True when a document has primary key (<paramref name="starts"/>, <paramref name="logged"/>, <paramref name="room"/>).</summary>
        public bool Contains(global::System.DateTimeOffset starts, global::System.DateTime logged, string room, global::Persistence.Transaction? transaction = null)
            => Contains(new EarlierBookingKey(starts, logged, room), transaction);

        /// <summary>Deletes the document with primary key (<paramref name="starts"/>, <paramref name="logged"/>, <paramref name="room"/>); false when there was none.</summary>
        public bool Delete(global::System.DateTimeOffset starts, global::System.DateTime logged, string room, global::Persistence.WriteTransaction? transaction = null)
            => Delete(new EarlierBookingKey(starts, logged, room), transaction);

        /// <summary>Ordered scans of the index on (Guest, Starts).</summary>
        public sealed class ByGuestStartsIndex : global::Persistence.Collections.IndexAccessor<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking, global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBookingKey>
        {
            internal ByGuestStartsIndex(EarlierBookingCollection collection)
                : base(collection, 0)
            {
            }

            /// <summary>The documents whose (Guest, Starts) is (<paramref name="guest"/>, <paramref name="starts"/>), in primary-key order.</summary>
            public global::System.Collections.Generic.IEnumerable<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking> Find(string guest, global::System.DateTimeOffset starts, global::Persistence.Transaction? transaction = null)
                => Scan(global::Persistence.KeyRange.Prefix(Key(guest, starts)), false, transaction);

            /// <summary>The documents whose leading 1 indexed members are (<paramref name="guest"/>), in index order.</summary>
            public global::System.Collections.Generic.IEnumerable<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking> FindByPrefix(string guest, global::Persistence.Transaction? transaction = null)
                => Scan(global::Persistence.KeyRange.Prefix(Key(guest)), false, transaction);

            /// <summary>The documents whose Guest lies in [<paramref name="from"/>, <paramref name="to"/>), ordered by the index.</summary>
            public global::System.Collections.Generic.IEnumerable<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking> Range(string from, string to, bool descending = false, global::Persistence.Transaction? transaction = null)
                => Scan(global::Persistence.KeyRange.Between(Key(from), Key(to)), descending, transaction);

            /// <summary>Every document, ordered by the index.</summary>
            public global::System.Collections.Generic.IEnumerable<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking> All(bool descending = false, global::Persistence.Transaction? transaction = null)
                => Scan(global::Persistence.KeyRange.All, descending, transaction);

            /// <summary>The number of documents whose (Guest, Starts) is (<paramref name="guest"/>, <paramref name="starts"/>): it reads only index entries, or also each document when the collection has expiring documents.</summary>
            public long Count(string guest, global::System.DateTimeOffset starts, global::Persistence.Transaction? transaction = null)
                => CountRange(global::Persistence.KeyRange.Prefix(Key(guest, starts)), transaction);

            private static byte[] Key(string guest) => Encode(guest, static (ref global::Persistence.Serialization.KeyWriter w, string v) => w.WriteString(v));

            private static byte[] Key(string guest, global::System.DateTimeOffset starts) => Encode((guest, starts), static (ref global::Persistence.Serialization.KeyWriter w, (string, global::System.DateTimeOffset) v) =>
            {
                w.WriteString(v.Item1);
                w.WriteDateTimeOffsetInstant(v.Item2);
            });
        }

        /// <summary>Ordered scans of the index on Guest.</summary>
        public sealed class ByGuestIndex : global::Persistence.Collections.IndexAccessor<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking, global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBookingKey>
        {
            internal ByGuestIndex(EarlierBookingCollection collection)
                : base(collection, 1)
            {
            }

            /// <summary>The documents whose Guest is (<paramref name="guest"/>), in primary-key order.</summary>
            public global::System.Collections.Generic.IEnumerable<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking> Find(string guest, global::Persistence.Transaction? transaction = null)
                => Scan(global::Persistence.KeyRange.Prefix(Key(guest)), false, transaction);

            /// <summary>The documents whose Guest lies in [<paramref name="from"/>, <paramref name="to"/>), ordered by the index.</summary>
            public global::System.Collections.Generic.IEnumerable<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking> Range(string from, string to, bool descending = false, global::Persistence.Transaction? transaction = null)
                => Scan(global::Persistence.KeyRange.Between(Key(from), Key(to)), descending, transaction);

            /// <summary>Every document, ordered by the index.</summary>
            public global::System.Collections.Generic.IEnumerable<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking> All(bool descending = false, global::Persistence.Transaction? transaction = null)
                => Scan(global::Persistence.KeyRange.All, descending, transaction);

            /// <summary>The number of documents whose Guest is (<paramref name="guest"/>): it reads only index entries, or also each document when the collection has expiring documents.</summary>
            public long Count(string guest, global::Persistence.Transaction? transaction = null)
                => CountRange(global::Persistence.KeyRange.Prefix(Key(guest)), transaction);

            private static byte[] Key(string guest) => Encode(guest, static (ref global::Persistence.Serialization.KeyWriter w, string v) => w.WriteString(v));
        }

        /// <summary>Lookups by the unique index on Ticket.</summary>
        public sealed class ByTicketIndex : global::Persistence.Collections.IndexAccessor<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking, global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBookingKey>
        {
            internal ByTicketIndex(EarlierBookingCollection collection)
                : base(collection, 2)
            {
            }

            /// <summary>The document whose Ticket is (<paramref name="ticket"/>), or null.</summary>
            public global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking? Get(int? ticket, global::Persistence.Transaction? transaction = null)
                => GetUnique(ticket, static (ref global::Persistence.Serialization.KeyWriter w, int? v) => w.WriteNullableInt32(v), transaction);

            /// <summary>True when a document has Ticket (<paramref name="ticket"/>).</summary>
            public bool Contains(int? ticket, global::Persistence.Transaction? transaction = null) => Get(ticket, transaction) is not null;
        }
    }

    /// <summary>The queryable members of <see cref="EarlierBooking"/>, for <c>Where</c> and <c>OrderBy</c>.</summary>
    public sealed class EarlierBookingFields
    {
        internal static readonly EarlierBookingFields Instance = new();

        private EarlierBookingFields()
        {
        }

        /// <summary>The Starts member.</summary>
        public global::Persistence.Query.Field<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking, global::System.DateTimeOffset> Starts { get; } = new("Starts", static d => d.Starts,
            static (ref global::Persistence.Serialization.KeyWriter w, global::System.DateTimeOffset v) => w.WriteDateTimeOffset(v), global::System.Collections.Generic.Comparer<global::System.DateTimeOffset>.Default, [], true, false);

        /// <summary>The Logged member.</summary>
        public global::Persistence.Query.Field<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking, global::System.DateTime> Logged { get; } = new("Logged", static d => d.Logged,
            static (ref global::Persistence.Serialization.KeyWriter w, global::System.DateTime v) => w.WriteDateTime(global::Persistence.Serialization.MessagePackWriter.StoredDateTime(v)), global::System.Collections.Generic.Comparer<global::System.DateTime>.Default, [], false, false);

        /// <summary>The Room member.</summary>
        public global::Persistence.Query.StringField<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking> Room { get; } = new("Room", static d => d.Room,
            static (ref global::Persistence.Serialization.KeyWriter w, string? v) => w.WriteString(v!), [], false, false);

        /// <summary>The Guest member.</summary>
        public global::Persistence.Query.StringField<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking> Guest { get; } = new("Guest", static d => d.Guest,
            static (ref global::Persistence.Serialization.KeyWriter w, string? v) => w.WriteString(v!), [0, 1], false, false);

        /// <summary>The Ticket member.</summary>
        public global::Persistence.Query.Field<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking, int?> Ticket { get; } = new("Ticket", static d => d.Ticket,
            static (ref global::Persistence.Serialization.KeyWriter w, int? v) => w.WriteNullableInt32(v), global::System.Collections.Generic.Comparer<int?>.Default, [2], false, true);

        /// <summary>The Until member.</summary>
        public global::Persistence.Query.Field<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking, global::System.DateTimeOffset?> Until { get; } = new("Until", static d => d.Until,
            static (ref global::Persistence.Serialization.KeyWriter w, global::System.DateTimeOffset? v) => w.WriteNullableDateTimeOffsetInstant(v), global::System.Collections.Generic.Comparer<global::System.DateTimeOffset?>.Default, [], false, true);
    }

    /// <summary>Serializer, key encoder and indexes of <see cref="EarlierBooking"/>.</summary>
    internal sealed class EarlierBookingSchema : global::Persistence.Collections.DocumentSchema<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking, global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBookingKey>
    {
        public static readonly EarlierBookingSchema Instance = new();

        private EarlierBookingSchema()
            : base("bookings", [new GuestStartsIndex(), new GuestIndex(), new TicketIndex()], ["DateTimeOffset", "DateTime", "String"])
        {
        }

        public override global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBookingKey GetKey(global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking document) => new(document.Starts, document.Logged, document.Room);

        public override void WriteKey(ref global::Persistence.Serialization.KeyWriter writer, global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBookingKey key)
        {
            writer.WriteDateTimeOffset(key.Starts);
            writer.WriteDateTime(key.Logged);
            writer.WriteString(key.Room ?? throw new global::Persistence.PersistenceSerializationException("EarlierBooking.Room is null, but its type is not nullable: it cannot be stored."));
        }

        public override global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBookingKey ReadKey(ref global::Persistence.Serialization.KeyReader reader)
        {
            return new(reader.ReadDateTimeOffset(), reader.ReadDateTime(), reader.ReadString());
        }

        public override bool HasExpiresAt => true;

        public override global::System.DateTimeOffset? GetExpiresAt(global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking document) => document.Until;

        public override void Serialize(ref global::Persistence.Serialization.MessagePackWriter writer, global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking document)
        {
            writer.WriteMapHeader(3);
            writer.WriteStringUtf8("Guest"u8);
            writer.WriteString(document.Guest ?? throw new global::Persistence.PersistenceSerializationException("EarlierBooking.Guest is null, but its type is not nullable: it cannot be stored."));
            writer.WriteStringUtf8("Ticket"u8);
            if (document.Ticket is { } value1)
            {
                writer.Write(value1);
            }
            else
            {
                writer.WriteNil();
            }
            writer.WriteStringUtf8("Until"u8);
            if (document.Until is { } value2)
            {
                writer.Write(value2);
            }
            else
            {
                writer.WriteNil();
            }
        }

        public override global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking Deserialize(ref global::Persistence.Serialization.MessagePackReader reader, scoped global::System.ReadOnlySpan<byte> primaryKey)
        {
            global::System.DateTimeOffset valueStarts = default;
            global::System.DateTime valueLogged = default;
            string valueRoom = default!;
            var hasRoom = false;
            string valueGuest = default!;
            var hasGuest = false;
            int? valueTicket = default;
            var hasTicket = false;
            global::System.DateTimeOffset? valueUntil = default;
            var hasUntil = false;
            var keyReader = new global::Persistence.Serialization.KeyReader(primaryKey);
            valueStarts = keyReader.ReadDateTimeOffset();
            valueLogged = keyReader.ReadDateTime();
            valueRoom = keyReader.ReadString();
            hasRoom = true;
            var count = reader.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                if (reader.PeekType() != global::Persistence.Serialization.MessagePackType.String)
                {
                    reader.Skip();
                    reader.Skip();
                    continue;
                }

                var key = reader.ReadStringSpan();
                switch (key.Length)
                {
                    case 5 when global::System.MemoryExtensions.SequenceEqual(key, "Guest"u8):
                        valueGuest = reader.TryReadNil() ? throw new global::Persistence.PersistenceSerializationException("EarlierBooking.Guest is nil in the document, but its type is not nullable.") : reader.ReadString();
                        hasGuest = true;
                        continue;
                    case 6 when global::System.MemoryExtensions.SequenceEqual(key, "Ticket"u8):
                        valueTicket = reader.TryReadNil() ? default(int?) : reader.ReadInt32();
                        hasTicket = true;
                        continue;
                    case 5 when global::System.MemoryExtensions.SequenceEqual(key, "Until"u8):
                        valueUntil = reader.TryReadNil() ? default(global::System.DateTimeOffset?) : reader.ReadDateTimeOffset();
                        hasUntil = true;
                        continue;
                    default:
                        reader.Skip();
                        continue;
                }
            }

            var document = new global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking()
            {
                Starts = valueStarts,
                Logged = valueLogged,
                Room = hasRoom ? valueRoom : "",
            };

            if (hasGuest)
            {
                document.Guest = valueGuest;
            }

            if (hasTicket)
            {
                document.Ticket = valueTicket;
            }

            if (hasUntil)
            {
                document.Until = valueUntil;
            }
            return document;
        }

        private sealed class GuestStartsIndex : global::Persistence.Collections.IndexSchema<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking>
        {
            public GuestStartsIndex()
                : base("GuestStarts", false, ["Guest", "Starts"], ["String", "DateTimeOffsetInstant"])
            {
            }

            public override bool WriteKey(ref global::Persistence.Serialization.KeyWriter writer, global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking document)
            {
                writer.WriteString(document.Guest ?? throw new global::Persistence.PersistenceSerializationException("EarlierBooking.Guest is null, but its type is not nullable: it cannot be stored."));
                writer.WriteDateTimeOffsetInstant(document.Starts);
                return true;
            }

            public override void SkipKey(ref global::Persistence.Serialization.KeyReader reader)
            {
                reader.ReadString();
                reader.ReadDateTimeOffsetInstant();
            }
        }

        private sealed class GuestIndex : global::Persistence.Collections.IndexSchema<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking>
        {
            public GuestIndex()
                : base("Guest", false, ["Guest"], ["String"])
            {
            }

            public override bool WriteKey(ref global::Persistence.Serialization.KeyWriter writer, global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking document)
            {
                writer.WriteString(document.Guest ?? throw new global::Persistence.PersistenceSerializationException("EarlierBooking.Guest is null, but its type is not nullable: it cannot be stored."));
                return true;
            }

            public override void SkipKey(ref global::Persistence.Serialization.KeyReader reader) => reader.ReadString();
        }

        private sealed class TicketIndex : global::Persistence.Collections.IndexSchema<global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking>
        {
            public TicketIndex()
                : base("Ticket", true, ["Ticket"], ["NullableInt64"])
            {
            }

            public override bool WriteKey(ref global::Persistence.Serialization.KeyWriter writer, global::Persistence.Generators.Tests.Runtime.Calendar.EarlierBooking document)
            {
                if (document.Ticket is null)
                {
                    return false;
                }

                writer.WriteNullableInt32(document.Ticket);
                return true;
            }

            public override void SkipKey(ref global::Persistence.Serialization.KeyReader reader) => reader.ReadNullableInt32();
        }
    }
}
