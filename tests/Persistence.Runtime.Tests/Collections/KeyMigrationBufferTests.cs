using Persistence.Collections;
using Persistence.Serialization;

namespace Persistence.Tests.Collections;

/// <summary>
/// A collection moving documents stored under the earlier encoding of a DateTimeOffset key writes the key member into
/// each document's bytes, reading it with the schema's getter (<see cref="DocumentSchema{T, TKey}.EarlierLeftOutValue"/>):
/// a getter that writes a document on the same thread (into another database here, the move's transaction being the
/// constructor's) must not write over the bytes under way.
/// </summary>
public sealed class KeyMigrationBufferTests
{
    private static readonly DateTimeOffset Nine = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_write_run_by_the_left_out_members_getter_leaves_the_moved_document_whole()
    {
        using var database = Database.OpenInMemory();
        using var other = Database.OpenInMemory();
        var earlier = Enumerable.Range(0, 3).Select(i => new Slot { Starts = Nine.AddHours(i), Note = $"note {i}" }).ToList();
        new SlotCollection(database, new EarlierSlotSchema()).InsertMany(earlier);

        var written = new SlotCollection(other, new SlotSchema(_ => { }));
        var ran = 0;
        var slots = new SlotCollection(database, new SlotSchema(slot =>
        {
            ran++;
            written.Insert(new Slot { Starts = slot.Starts.AddDays(1), Note = "XXXX X" }); // as long as each note
        }));

        Assert.Equal(earlier.Count, ran);
        Assert.All(earlier, e => Assert.Equal((e.Starts, e.Note), slots.Get(e.Starts) is { } moved ? (moved.Starts, moved.Note) : default));
        Assert.Empty(slots.CheckConsistency());
        Assert.Equal(earlier.Count, written.Count());
    }

    public sealed class Slot
    {
        public DateTimeOffset Starts { get; set; }

        public string Note { get; set; } = "";
    }

    private sealed class SlotCollection(Database database, DocumentSchema<Slot, DateTimeOffset> schema)
        : Collection<Slot, DateTimeOffset>(database, schema);

    /// <summary>
    /// Slots as stored before: the key held the offset, and the document left the key member out (a nil in its element).
    /// </summary>
    private sealed class EarlierSlotSchema() : DocumentSchema<Slot, DateTimeOffset>("slots", [], ["DateTimeOffset"])
    {
        public override DateTimeOffset GetKey(Slot document) => document.Starts;

        public override void WriteKey(ref KeyWriter writer, DateTimeOffset key) => writer.WriteDateTimeOffset(key);

        public override DateTimeOffset ReadKey(ref KeyReader reader) => reader.ReadDateTimeOffset();

        public override void Serialize(ref MessagePackWriter writer, Slot document)
        {
            writer.WriteArrayHeader(2);
            writer.WriteNil();
            writer.WriteString(document.Note);
        }

        public override Slot Deserialize(ref MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey)
        {
            _ = reader.ReadArrayHeader();
            reader.Skip();
            var note = reader.ReadString();
            var key = new KeyReader(primaryKey);
            return new Slot { Starts = key.ReadDateTimeOffset(), Note = note };
        }
    }

    /// <summary>Slots now: the key holds the instant, the document the member (tag 1, element 0), whose getter calls a hook.</summary>
    private sealed class SlotSchema(Action<Slot> onLeftOut) : DocumentSchema<Slot, DateTimeOffset>("slots", [], ["DateTimeOffsetInstant"])
    {
        private static readonly EarlierSlotSchema Earlier = new();

        public override IReadOnlyList<(int Tag, string Name)> EarlierLeftOutMembers { get; } = [(1, nameof(Slot.Starts))];

        public override DateTimeOffset GetKey(Slot document) => document.Starts;

        public override void WriteKey(ref KeyWriter writer, DateTimeOffset key) => writer.WriteDateTimeOffsetInstant(key);

        public override DateTimeOffset ReadKey(ref KeyReader reader) => reader.ReadDateTimeOffsetInstant();

        public override DateTimeOffset EarlierLeftOutValue(Slot document, int member)
        {
            onLeftOut(document);
            return document.Starts;
        }

        public override void Serialize(ref MessagePackWriter writer, Slot document)
        {
            writer.WriteArrayHeader(2);
            writer.Write(document.Starts);
            writer.WriteString(document.Note);
        }

        public override Slot Deserialize(ref MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey)
        {
            _ = reader.ReadArrayHeader();
            var starts = reader.ReadDateTimeOffset();
            return new Slot { Starts = starts, Note = reader.ReadString() };
        }

        public override Slot DeserializeUnderEarlierKey(ref MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey) =>
            Earlier.Deserialize(ref reader, primaryKey);
    }
}
