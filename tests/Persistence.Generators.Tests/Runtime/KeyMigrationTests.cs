using System.Globalization;
using System.Text;
using Persistence.Generators.Parsing;
using Persistence.Generators.Tests.Golden.Bookings;
using Persistence.Generators.Tests.Infrastructure;
using Persistence.Generators.Tests.Runtime.Calendar;
using Persistence.Serialization;
using Persistence.Testing;

namespace Persistence.Generators.Tests.Runtime;

/// <summary>
/// A collection whose documents an earlier version stored under keys holding a DateTimeOffset's offset and a DateTime's
/// Kind (<see cref="EarlierBookingCollection"/> and <see cref="EarlierSlotCollection"/>, that version's generated code)
/// moves them under their keys once, when it is first created, with their index entries, in one transaction; two
/// documents that would share a key refuse the move, and nothing is written.
/// </summary>
public sealed class KeyMigrationTests
{
    private const int KeysMovedEvent = 17;
    private const int IndexesBuiltEvent = 16;
    private static readonly DateTime Ten = new(2026, 11, 24, 10, 0, 0);
    private static readonly DateTimeOffset Nine = new(2026, 11, 24, 9, 0, 0, TimeSpan.FromHours(2));

    private static readonly EarlierBooking[] Bookings =
    [
        new() { Starts = Nine, Logged = DateTime.SpecifyKind(Ten, DateTimeKind.Local), Room = "a", Guest = "ada", Ticket = 1, Until = Nine.AddYears(10) },
        new() { Starts = Nine.ToOffset(TimeSpan.FromHours(-5)), Logged = DateTime.SpecifyKind(Ten.AddHours(1), DateTimeKind.Unspecified), Room = "a", Guest = "bob", Ticket = 2 },
        new() { Starts = Nine.AddHours(1).ToOffset(TimeSpan.Zero), Logged = DateTime.SpecifyKind(Ten, DateTimeKind.Utc), Room = "b", Guest = "ada", Until = Nine.AddYears(20) },
    ];

    [Fact]
    public void Documents_stored_under_the_earlier_keys_are_moved_once_with_their_index_entries()
    {
        using var directory = new TempDirectory();
        using (var db = Open(directory, new CapturingLogger()))
        {
            new EarlierBookingCollection(db).InsertMany(Bookings);
        }

        var log = new CapturingLogger();
        using (var db = Open(directory, log))
        {
            var bookings = new BookingCollection(db);
            Assert.Equal(3, bookings.Count());
            foreach (var earlier in Bookings)
            {
                var moved = bookings.Get(earlier.Starts.ToOffset(TimeSpan.FromHours(3)), earlier.Logged, earlier.Room);
                Assert.NotNull(moved);
                Assert.Equal((earlier.Starts, earlier.Starts.Offset), (moved.Starts, moved.Starts.Offset)); // the offset moved into the document
                Assert.Equal(MessagePackWriter.StoredDateTime(earlier.Logged), moved.Logged);
                Assert.Equal((earlier.Guest, earlier.Ticket, earlier.Until), (moved.Guest, moved.Ticket, moved.Until));
            }

            Assert.Empty(bookings.CheckConsistency());
            Assert.Equal(0, bookings.RepairIndexes());
            Assert.Equal(["a", "b"], bookings.ByGuest.Find("ada").Select(b => b.Room));
            Assert.Equal("bob", bookings.ByTicket.Get(2)?.Guest);
            Assert.Equal(["ada", "bob"], bookings.ByGuestStarts.All().Where(b => b.Starts == Nine).Select(b => b.Guest));

            // Moved, the index entries rewritten rather than built, and recorded; no scratch keyspace left. The expiry index
            // alone is built again, once: the earlier code recorded that its entries came from a member, not which.
            Assert.Single(log.Entries, e => e.Event.Id == KeysMovedEvent);
            var built = Assert.Single(log.Entries, e => e.Event.Id == IndexesBuiltEvent);
            Assert.StartsWith("Built the expiry index of", built.Message, StringComparison.Ordinal);
            Assert.Equal("2|key|DateTimeOffsetInstant,DateTimeUtc,String", Record(db, "bookings", "$key"));
            Assert.Equal("2|multiple|Guest:String|DateTimeOffsetInstant,DateTimeUtc,String", Record(db, "bookings", "Guest"));
            Assert.Equal("2|expiry|DateTimeOffsetInstant,DateTimeUtc,String|member:Until", Record(db, "bookings", "$expiry"));
            using var read = db.BeginRead();
            Assert.DoesNotContain(read.GetKeyspaces(), k => k.Name.Contains('$', StringComparison.Ordinal) && k.Name.Contains(':', StringComparison.Ordinal));
        }

        var again = new CapturingLogger();
        using (var db = Open(directory, again))
        {
            var version = db.GetStatistics().Version;
            var bookings = new BookingCollection(db);
            Assert.Equal(version, db.GetStatistics().Version); // once: nothing written
            Assert.False(again.Has(KeysMovedEvent));
            Assert.Equal(3, bookings.Count());
        }
    }

    [Fact]
    public void Documents_stored_as_arrays_with_stored_expiries_keep_their_offsets_and_expiries()
    {
        var options = new DatabaseOptions { Ttl = { RunCollectorInBackground = false } };
        options.Collections["slots"] = new CollectionOptions { DefaultTimeToLive = TimeSpan.FromDays(30) };
        using var db = Database.OpenInMemory(options);
        var offsets = new[] { TimeSpan.FromHours(2), TimeSpan.FromHours(-5), TimeSpan.FromMinutes(345) };
        new EarlierSlotCollection(db).InsertMany(offsets.Select((offset, i) => new EarlierSlot { Starts = Nine.AddDays(i).ToOffset(offset), Room = "r" + i, Seats = i }));

        var slots = new SlotCollection(db);

        Assert.Equal(offsets, slots.All().Select(s => s.Starts.Offset));
        Assert.Equal(1, slots.Get(Nine.AddDays(1).ToUniversalTime())?.Seats);
        Assert.Equal(Nine.AddDays(2), slots.ByRoom.Get("r2")?.Starts);
        Assert.Empty(slots.CheckConsistency()); // the expiry index agrees with the stored expiries, under the new keys
        using var read = db.BeginRead();
        Assert.Equal(
            read.Scan(read.GetKeyspace("slots")).Select(p => Convert.ToHexString(p.Key)),
            read.Scan(read.GetKeyspace("slots#$expires")).Select(p => Convert.ToHexString(p.Key)));
    }

    [Fact]
    public void Members_the_type_does_not_know_survive_the_move_in_maps_and_arrays()
    {
        // Documents written by another version of the type hold members this one skips (an entry of a map, an element past
        // the end of an array): the move puts the offset its key dropped into the stored bytes, and keeps the rest as it was.
        using var db = Database.OpenInMemory(new DatabaseOptions { Ttl = { RunCollectorInBackground = false } });
        new EarlierBookingCollection(db).InsertMany(Bookings);
        new EarlierSlotCollection(db).InsertMany([new EarlierSlot { Starts = Nine, Room = "a", Seats = 4 }, new EarlierSlot { Starts = Nine.AddHours(1), Room = "b" }]);
        db.Write(tx =>
        {
            foreach (var (name, extra) in new[] { ("bookings", Extra("Notes")), ("slots", Extra(null)) })
            {
                var keyspace = tx.GetKeyspace(name);
                foreach (var (key, value) in tx.Scan(keyspace).ToList())
                {
                    tx.Put(keyspace, key, [(byte)(value[0] + 1), .. value.AsSpan(1), .. extra]); // a fixmap or fixarray one longer
                }
            }
        });

        var bookings = new BookingCollection(db);
        var slots = new SlotCollection(db);

        Assert.Equal(Bookings.Select(b => (b.Starts, b.Starts.Offset)), bookings.All().Select(b => (b.Starts, b.Starts.Offset)).OrderBy(p => p.Starts));
        Assert.Equal([(Nine, Nine.Offset, 4), (Nine.AddHours(1), Nine.Offset, 0)], slots.All().Select(s => (s.Starts, s.Starts.Offset, s.Seats)));
        using var read = db.BeginRead();
        Assert.All(read.Scan(read.GetKeyspace("bookings")), p => Assert.Contains(Convert.ToHexString(Extra("Notes")), Convert.ToHexString(p.Value), StringComparison.Ordinal));
        Assert.All(read.Scan(read.GetKeyspace("slots")), p => Assert.EndsWith(Convert.ToHexString(Extra(null)), Convert.ToHexString(p.Value), StringComparison.Ordinal));
        Assert.Empty(bookings.CheckConsistency());
        Assert.Empty(slots.CheckConsistency());

        // A map entry ("Notes": "kept"), or an array element ("kept").
        static byte[] Extra(string? name)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            var writer = new MessagePackWriter(buffer);
            if (name is not null)
            {
                writer.WriteString(name);
            }

            writer.WriteString("kept");
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
    }

    [Fact]
    public void Documents_stored_before_the_key_encoding_was_recorded_are_in_the_earlier_one()
    {
        using var db = Database.OpenInMemory();
        new EarlierSlotCollection(db).Insert(new EarlierSlot { Starts = Nine, Room = "a" });
        db.Write(tx => tx.Delete(tx.GetKeyspace("slots#$indexes"), "$key"u8.ToArray())); // as a version before the record left it

        var slots = new SlotCollection(db);

        Assert.Equal(Nine.Offset, slots.Get(Nine.ToUniversalTime())?.Starts.Offset);
        Assert.Equal("2|key|DateTimeOffsetInstant", Record(db, "slots", "$key"));
        Assert.Empty(slots.CheckConsistency());
    }

    [Fact]
    public void One_instant_at_two_offsets_refuses_the_move_and_changes_nothing()
    {
        using var db = Database.OpenInMemory();
        var earlier = new EarlierSlotCollection(db);
        earlier.InsertMany([new EarlierSlot { Starts = Nine, Room = "a" }, new EarlierSlot { Starts = Nine.ToOffset(TimeSpan.FromHours(-5)), Room = "b" }]);
        var before = Dump(db);

        var refused = Assert.Throws<DocumentException>(() => new SlotCollection(db));

        Assert.Equal(ErrorCode.PrimaryKeysCollide, refused.Code);
        Assert.Equal("slots", refused.Collection);
        Assert.Contains("2026-11-24T09:00:00.0000000+02:00 (0x", refused.Message, StringComparison.Ordinal);
        Assert.Contains("2026-11-24T02:00:00.0000000-05:00 (0x", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, Dump(db));
        var reopened = new EarlierSlotCollection(db);
        Assert.Equal(["a", "b"], reopened.All().Select(s => s.Room).Order());
        Assert.Equal("b", reopened.Get(Nine.ToOffset(TimeSpan.FromHours(-5)))?.Room);
        Assert.Equal(ErrorCode.PrimaryKeysCollide, Assert.Throws<DocumentException>(() => new SlotCollection(db)).Code); // until one changes
    }

    [Fact]
    public void A_Local_and_a_UTC_DateTime_of_one_instant_refuse_the_move_and_change_nothing()
    {
        using var db = Database.OpenInMemory();
        var local = DateTime.SpecifyKind(Ten, DateTimeKind.Local);
        var earlier = new EarlierBookingCollection(db);
        earlier.InsertMany(
        [
            new EarlierBooking { Starts = Nine, Logged = local, Room = "a", Guest = "local" },
            new EarlierBooking { Starts = Nine, Logged = local.ToUniversalTime(), Room = "a", Guest = "utc" },
            new EarlierBooking { Starts = Nine, Logged = local.AddDays(1), Room = "a", Guest = "other" },
        ]);
        var before = Dump(db);

        var refused = Assert.Throws<DocumentException>(() => new BookingCollection(db));

        Assert.Equal(ErrorCode.PrimaryKeysCollide, refused.Code);
        foreach (var logged in new[] { local, local.ToUniversalTime() })
        {
            // Each by its earlier key, as the earlier version reads it: the key they now share names both alike.
            var parts = string.Join(", ", Nine.ToString("O", CultureInfo.InvariantCulture), logged.ToString("O", CultureInfo.InvariantCulture), "\"a\"");
            Assert.Contains($"({parts}) (0x", refused.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, Dump(db));
        var reopened = new EarlierBookingCollection(db);
        Assert.Equal("local", reopened.Get(Nine, local, "a")?.Guest);
        Assert.Equal("utc", reopened.Get(Nine, local.ToUniversalTime(), "a")?.Guest);
        Assert.Empty(reopened.CheckConsistency());
    }

    [Fact]
    public void A_document_its_type_cannot_decode_refuses_the_move_naming_its_key_until_the_earlier_version_deletes_it()
    {
        using var db = Database.OpenInMemory();
        var earlier = new EarlierSlotCollection(db);
        earlier.InsertMany([new EarlierSlot { Starts = Nine, Room = "a" }, new EarlierSlot { Starts = Nine.AddHours(1), Room = "b" }]);
        db.Write(tx =>
        {
            var documents = tx.GetKeyspace("slots");
            var first = tx.Scan(documents).Select(e => (Key: e.Key.ToArray(), Value: e.Value.ToArray())).First();
            tx.Put(documents, first.Key, [.. first.Value, 0xC0]); // intact bytes, a nil past the document's end
        });
        var before = Dump(db);

        var refused = Assert.Throws<PersistenceSerializationException>(() => new SlotCollection(db));

        Assert.Equal(ErrorCode.SerializationError, refused.Code);
        Assert.Contains("2026-11-24T09:00:00.0000000+02:00 (0x", refused.Message, StringComparison.Ordinal); // as the earlier version reads it
        Assert.Contains("in 'slots' cannot be decoded as Slot, so the collection cannot be constructed", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing of the move was committed", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Open the collection with the earlier version and Delete(key) it there", refused.Message, StringComparison.Ordinal);
        Assert.IsType<PersistenceSerializationException>(refused.InnerException);
        Assert.Equal(before, Dump(db));

        Assert.True(new EarlierSlotCollection(db).Delete(Nine));
        var slots = new SlotCollection(db);

        Assert.Equal("2|key|DateTimeOffsetInstant", Record(db, "slots", "$key"));
        Assert.Equal(["b"], slots.All().Select(s => s.Room));
        Assert.Equal(Nine.Offset, slots.Get(Nine.AddHours(1).ToUniversalTime())?.Starts.Offset);
        Assert.Empty(slots.CheckConsistency());
    }

    [Fact]
    public void An_undecodable_document_of_a_composite_key_is_named_by_each_part_as_the_earlier_version_reads_it()
    {
        using var db = Database.OpenInMemory();
        new EarlierBookingCollection(db).InsertMany(Bookings);
        db.Write(tx =>
        {
            var documents = tx.GetKeyspace("bookings");
            var first = tx.Scan(documents).Select(e => (Key: e.Key.ToArray(), Value: e.Value.ToArray())).First();
            tx.Put(documents, first.Key, [.. first.Value, 0xC0]);
        });
        var before = Dump(db);

        var refused = Assert.Throws<PersistenceSerializationException>(() => new BookingCollection(db));

        // The first key in byte order (the instant, then the offset: of two at one instant, the one five hours behind), its
        // Starts part with that offset and its Logged part with its own Kind, as the earlier version reads them.
        var first = Bookings.OrderBy(b => b.Starts.UtcTicks).ThenBy(b => b.Starts.Offset).First();
        var parts = string.Join(", ", first.Starts.ToString("O", CultureInfo.InvariantCulture), first.Logged.ToString("O", CultureInfo.InvariantCulture), $"\"{first.Room}\"");
        Assert.Contains($"under the key ({parts}) (0x", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, Dump(db));
    }

    /// <summary>Writes a key's parts in the earlier encoding, for <see cref="An_undecodable_document_is_named_by_each_part_of_its_earlier_key_whatever_its_type"/>.</summary>
    public delegate void WriteParts(ref KeyWriter writer);

    public static TheoryData<string, string[], WriteParts, string> EarlierKeys => new()
    {
        { "int", ["DateTimeOffsetInstant", "Int64"], (ref KeyWriter w) => { w.WriteDateTimeOffset(Nine); w.WriteInt32(-7); }, "(2026-11-24T09:00:00.0000000+02:00, -7)" },
        { "long", ["DateTimeUtc", "Int64"], (ref KeyWriter w) => { w.WriteDateTime(Ten); w.WriteInt64(long.MinValue); }, "(2026-11-24T10:00:00.0000000, -9223372036854775808)" },
        { "string", ["DateTimeUtc", "String"], (ref KeyWriter w) => { w.WriteDateTime(Ten); w.WriteString("a, \"b\""); }, "(2026-11-24T10:00:00.0000000, \"a, \\\"b\\\"\")" },
        { "Guid", ["DateTimeOffsetInstant", "Guid"], (ref KeyWriter w) => { w.WriteDateTimeOffset(Nine); w.WriteGuid(new Guid("0f8fad5b-d9cb-469f-a165-70867728950e")); }, "(2026-11-24T09:00:00.0000000+02:00, 0f8fad5b-d9cb-469f-a165-70867728950e)" },
        { "DateTime kinds", ["DateTimeUtc", "DateTimeUtc"], (ref KeyWriter w) => { w.WriteDateTime(DateTime.SpecifyKind(Ten, DateTimeKind.Utc)); w.WriteDateTime(Ten); }, "(2026-11-24T10:00:00.0000000Z, 2026-11-24T10:00:00.0000000)" },
        { "DateTime alone", ["DateTimeUtc"], (ref KeyWriter w) => w.WriteDateTime(DateTime.SpecifyKind(Ten, DateTimeKind.Utc)), "2026-11-24T10:00:00.0000000Z" },
        { "double", ["DateTimeOffsetInstant", "Double"], (ref KeyWriter w) => { w.WriteDateTimeOffset(Nine); w.WriteDouble(0.1); }, "(2026-11-24T09:00:00.0000000+02:00, 0.1)" },
        { "decimal", ["DateTimeOffsetInstant", "Decimal"], (ref KeyWriter w) => { w.WriteDateTimeOffset(Nine); w.WriteDecimal(1.50m); }, "(2026-11-24T09:00:00.0000000+02:00, 1.5)" },
        { "bytes", ["DateTimeUtc", "Bytes"], (ref KeyWriter w) => { w.WriteDateTime(Ten); w.WriteBytes([0x00, 0xAB]); }, "(2026-11-24T10:00:00.0000000, 0x00AB)" },
        { "date, time, span", ["DateTimeUtc", "DateOnly", "TimeOnly", "TimeSpan"], (ref KeyWriter w) => { w.WriteDateTime(Ten); w.WriteDateOnly(new DateOnly(2026, 2, 3)); w.WriteTimeOnly(new TimeOnly(4, 5, 6)); w.WriteTimeSpan(TimeSpan.FromMinutes(-90)); }, "(2026-11-24T10:00:00.0000000, 2026-02-03, 04:05:06.0000000, -01:30:00)" },
        { "null", ["DateTimeOffsetInstant", "NullableString"], (ref KeyWriter w) => { w.WriteDateTimeOffset(Nine); w.WriteNullableString(null); }, "(2026-11-24T09:00:00.0000000+02:00, null)" },
        { "composite", ["String", "DateTimeOffsetInstant", "Int64", "Boolean"], (ref KeyWriter w) => { w.WriteString("x"); w.WriteDateTimeOffset(Nine); w.WriteInt64(42); w.WriteBoolean(true); }, "(\"x\", 2026-11-24T09:00:00.0000000+02:00, 42, true)" },
    };

    /// <summary>
    /// The refused move names an undecodable document's key by each part as the earlier version reads it, whatever the
    /// parts' types: a string quoted and escaped (one part, however many commas it holds), floating-point, decimal and
    /// byte parts as values, not the key's bytes alone.
    /// </summary>
    [Theory]
    [MemberData(nameof(EarlierKeys))]
    public void An_undecodable_document_is_named_by_each_part_of_its_earlier_key_whatever_its_type(string shape, string[] encodings, WriteParts write, string expected)
    {
        _ = shape; // names the case
        using var db = Database.OpenInMemory();
        var writer = new KeyWriter(new byte[128]);
        write(ref writer);
        var key = writer.ToArray();
        writer.Dispose();
        db.Write(tx => tx.Put(tx.GetOrCreateKeyspace("ledgers"), key, [0xC1])); // a byte no MessagePack writer writes
        var before = Dump(db);

        var refused = Assert.Throws<PersistenceSerializationException>(() => new LedgerCollection(db, encodings));

        Assert.Contains($"under the key {expected} (0x{Convert.ToHexString(key)}) in 'ledgers' cannot be decoded as Ledger", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, Dump(db));
    }

    /// <summary>
    /// A document stored under a key that is not one of the earlier encoding (cut short, bytes no encoder writes, or a
    /// valid key with bytes after it, which the move would otherwise read as that key) refuses the move with the typed exception naming the key by its bytes alone, and leaves the store as it was.
    /// </summary>
    [Theory]
    [InlineData("truncated")]
    [InlineData("garbage")]
    [InlineData("offset out of range")]
    [InlineData("extra bytes")]
    public void A_document_under_a_key_the_earlier_encoding_cannot_read_refuses_the_move_naming_its_bytes(string shape)
    {
        using var db = Database.OpenInMemory();
        new EarlierSlotCollection(db).InsertMany([new EarlierSlot { Starts = Nine, Room = "a" }]);
        byte[] key = [];
        db.Write(tx =>
        {
            var documents = tx.GetKeyspace("slots");
            var first = tx.Scan(documents).Select(e => (Key: e.Key.ToArray(), Value: e.Value.ToArray())).First();
            key = shape switch
            {
                "truncated" => first.Key[..^1],
                "garbage" => [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0x61],
                "offset out of range" => [.. first.Key[..8], 0xFF, 0xFF], // UTC ticks, then an offset of 32,767 minutes
                _ => [.. first.Key, 0x00], // a valid key, then a byte after its last part
            };
            tx.Put(documents, key, first.Value);
        });
        var before = Dump(db);

        var refused = Assert.Throws<PersistenceSerializationException>(() => new SlotCollection(db));

        Assert.Contains($"under the key 0x{Convert.ToHexString(key)} in 'slots' cannot be decoded as Slot", refused.Message, StringComparison.Ordinal);
        Assert.IsType<PersistenceSerializationException>(refused.InnerException);
        Assert.Equal(before, Dump(db));
    }

    /// <summary>
    /// The move reads only the non-nullable encodings "DateTime" and "DateTimeOffset" as earlier ones: a nullable
    /// DateTime or DateTimeOffset primary-key part ("NullableDateTimeUtc", "NullableDateTimeOffsetInstant") has no
    /// documents under an earlier encoding to move, because no version of the generator accepted a nullable key part
    /// (PST0007 since its first commit) and it emits nothing for such a type. Should it ever accept one, EarlierEncoding
    /// must name the nullable encodings too, and this fails first.
    /// </summary>
    [Theory]
    [InlineData("""[Collection("c")] public partial class T { [PrimaryKey] public DateTimeOffset? At { get; init; } }""")]
    [InlineData("""[Collection("c")] public partial class T { [PrimaryKey(Order = 1)] public string Room { get; init; } = ""; [PrimaryKey(Order = 2)] public DateTime? At { get; init; } }""")]
    public void A_nullable_temporal_key_part_is_refused_so_no_document_is_stored_under_its_earlier_encoding(string declaration)
    {
        var source = "using Persistence;\n" + declaration;
        var type = GeneratorHarness.Compile(source).GetTypeByMetadataName("T")!;

        var problem = Assert.Single(TypeParser.Parse(type, DocumentKind.Collection, CancellationToken.None).Problems);
        var (run, _) = GeneratorHarness.Generate(source);

        Assert.Equal(ProblemCatalog.UnsupportedKeyType, problem.Id);
        Assert.Contains("At", problem.Message, StringComparison.Ordinal);
        Assert.Empty(run.GeneratedTrees);
    }

    [Fact]
    public void An_index_holding_an_entry_of_no_document_is_built_again()
    {
        var log = new CapturingLogger();
        using var db = Database.OpenInMemory(new DatabaseOptions { Logger = log, Ttl = { RunCollectorInBackground = false } });
        new EarlierBookingCollection(db).InsertMany(Bookings);
        db.Write(tx =>
        {
            var entry = new KeyWriter(new byte[64]);
            entry.WriteString("zed");
            entry.WriteDateTimeOffset(Nine.AddDays(9));
            entry.WriteDateTime(Ten);
            entry.WriteString("nowhere");
            tx.Put(tx.GetKeyspace("bookings#Guest"), entry.WrittenSpan.ToArray(), []);
            entry.Dispose();
        });

        var bookings = new BookingCollection(db);

        Assert.Empty(bookings.CheckConsistency());
        Assert.Empty(bookings.ByGuest.Find("zed"));
        Assert.Equal(2, bookings.ByGuest.Count("ada"));
        // That index alone, with the expiry index, whose record by the earlier code did not name its member.
        Assert.Single(log.Entries, e => e.Event.Id == IndexesBuiltEvent && e.Message.StartsWith("Built index Guest, the expiry index of", StringComparison.Ordinal));
        Assert.Single(log.Entries, e => e.Event.Id == KeysMovedEvent);
    }

    private static Database Open(TempDirectory directory, CapturingLogger log) =>
        Database.Open(directory.File(), new DatabaseOptions { Logger = log, Ttl = { RunCollectorInBackground = false } });

    private static string? Record(Database db, string collection, string name)
    {
        using var read = db.BeginRead();
        return read.Get(read.GetKeyspace(collection + "#$indexes"), Encoding.UTF8.GetBytes(name)) is { } recorded ? Encoding.UTF8.GetString(recorded) : null;
    }

    /// <summary>Every keyspace with every entry, in order.</summary>
    private static List<string> Dump(Database db)
    {
        using var read = db.BeginRead();
        return [.. read.GetKeyspaces().OrderBy(k => k.Name, StringComparer.Ordinal)
            .SelectMany(k => read.Scan(k).Select(p => $"{k.Name} {Convert.ToHexString(p.Key)} {Convert.ToHexString(p.Value)}").Prepend(k.Name))];
    }
}
