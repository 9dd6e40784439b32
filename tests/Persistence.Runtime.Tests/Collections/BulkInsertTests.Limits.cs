using Persistence.Collections;
using Persistence.Serialization;

namespace Persistence.Tests.Collections;

/// <content>A primary key that fits the documents tree but not the expiry index, whose entry puts an instant before it.</content>
public sealed partial class BulkInsertTests
{
    [Fact]
    public void A_key_too_long_for_its_expiry_entry_ends_the_run_before_its_document()
    {
        var (thrown, trees, inBulk) = InsertNotes(bulkChunk: 1_024);
        var (expected, oneByOneTrees, _) = InsertNotes(bulkChunk: 0);

        Assert.Equal(ErrorCode.KeyTooLarge, Assert.IsType<LimitExceededException>(thrown).Code);
        Assert.Equal(expected.Message, thrown.Message);
        Assert.Equal(400, inBulk); // the chunk's run ends before the long key: the documents before it go in bulk
        Assert.Equal(oneByOneTrees, trees);
        Assert.Equal(400, trees.Count(t => t.StartsWith("notes ", StringComparison.Ordinal)));
        Assert.Equal(200, trees.Count(t => t.StartsWith("notes#$expiry ", StringComparison.Ordinal))); // the even ones

        (Exception Thrown, List<string> Trees, long InBulk) InsertNotes(int bulkChunk)
        {
            var database = OpenInMemory();
            var notes = new NoteCollection(database) { BulkChunk = bulkChunk };
            var tooLong = new string('k', database.MaxKeySize - 4); // with its terminator 2 bytes short of the limit
            var documents = Enumerable.Range(0, 600)
                .Select(i => new Note { Id = i == 400 ? tooLong : $"n{i}", ExpiresAt = i % 2 == 0 ? DateTimeOffset.MaxValue : null })
                .ToList();
            using var tx = database.BeginWrite();
            tx.CreateKeyspace("promotes");
            var refused = Record.Exception(() => notes.InsertMany(documents, tx));
            Assert.Empty(notes.CheckConsistency(tx));
            return (refused, Trees(tx, "notes"), notes.BulkInserted);
        }
    }

    public sealed class Note
    {
        public string Id { get; init; } = "";

        public DateTimeOffset? ExpiresAt { get; init; }
    }

    internal sealed class NoteCollection(Database database) : Collection<Note, string>(database, NoteSchema.Instance);

    /// <summary>Notes: a string key and an expiry, no index (the expiry index alone makes a chunk worth it).</summary>
    private sealed class NoteSchema : DocumentSchema<Note, string>
    {
        public static readonly NoteSchema Instance = new();

        private NoteSchema()
            : base("notes", [])
        {
        }

        public override string GetKey(Note document) => document.Id;

        public override void WriteKey(ref KeyWriter writer, string key) => writer.WriteString(key);

        public override string ReadKey(ref KeyReader reader) => reader.ReadString();

        public override bool HasExpiresAt => true;

        public override DateTimeOffset? GetExpiresAt(Note document) => document.ExpiresAt;

        public override void Serialize(ref MessagePackWriter writer, Note document)
        {
            writer.WriteArrayHeader(1);
            if (document.ExpiresAt is { } expiresAt)
            {
                writer.Write(expiresAt);
            }
            else
            {
                writer.WriteNil();
            }
        }

        public override Note Deserialize(ref MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey)
        {
            var id = new KeyReader(primaryKey).ReadString();
            reader.ReadArrayHeader();
            return new Note { Id = id, ExpiresAt = reader.TryReadNil() ? null : reader.ReadDateTimeOffset() };
        }
    }
}
