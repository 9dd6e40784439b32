using Microsoft.Extensions.Logging;
using Persistence.Collections;
using Persistence.Serialization;
using Persistence.Testing;

namespace Persistence.Tests.Collections;

/// <summary>
/// An index declared on a collection that already holds documents started empty, so queries by it silently missed
/// every document stored before; an index dropped and declared again came back with the entries of the time it was
/// dropped. Each collection now records how its indexes were defined when built, and builds the others at open.
/// </summary>
public sealed class IndexDefinitionTests
{
    [Fact]
    public void An_index_declared_on_stored_documents_is_built_from_them()
    {
        using var db = Database.OpenInMemory();
        var plain = new NotedLines(db);
        Insert(plain, 0, 50);

        var indexed = new NotedLines(db, new NoteIndex("Note", unique: false));

        Assert.Empty(indexed.CheckConsistency());
        Assert.Equal(50, Count(db, "lines#Note"));
        Assert.Equal(0, indexed.RepairIndexes());
    }

    [Fact]
    public void A_build_is_logged_with_what_it_built_and_from_how_many_documents()
    {
        var logger = new CapturingLogger();
        using var db = Database.OpenInMemory(new DatabaseOptions { Logger = logger });
        Insert(new NotedLines(db), 0, 25);
        Assert.False(logger.Has(16)); // nothing to build

        _ = new NotedLines(db, new NoteIndex("Note", unique: false));
        _ = new NotedLines(db, new NoteIndex("Note", unique: false)); // recorded now: not built again

        var built = Assert.Single(logger.Entries, e => e.Event.Id == 16);
        Assert.Equal(LogLevel.Information, built.Level);
        Assert.StartsWith("Built index Note of collection lines in :memory: from its 25 documents in ", built.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_redefined_index_is_built_again()
    {
        using var db = Database.OpenInMemory();
        Insert(new NotedLines(db, new NoteIndex("Note", unique: false)), 0, 30);

        var unique = new NotedLines(db, new NoteIndex("Note", unique: true));

        Assert.Empty(unique.CheckConsistency());
        using var tx = db.BeginRead();
        Assert.All(tx.Scan(tx.GetKeyspace("lines#Note")), entry => Assert.NotEmpty(entry.Value)); // unique entries hold the primary key
    }

    [Fact]
    public void An_index_dropped_and_declared_again_is_built_afresh()
    {
        using var db = Database.OpenInMemory();
        Insert(new NotedLines(db, new NoteIndex("Note", unique: false)), 0, 20);

        var without = new NotedLines(db);
        Assert.False(db.BeginRead().TryGetKeyspace("lines#Note", out _));
        Insert(without, 20, 20);
        without.Delete(new LineKey(0, 0));

        var again = new NotedLines(db, new NoteIndex("Note", unique: false));

        Assert.Empty(again.CheckConsistency());
        Assert.Equal(39, Count(db, "lines#Note"));
    }

    [Fact]
    public void A_unique_index_on_shared_values_refuses_the_collection_and_changes_nothing()
    {
        using var db = Database.OpenInMemory();
        var plain = new NotedLines(db);
        Insert(plain, 0, 10);
        plain.Upsert(new Line { Order = 0, No = 1, Note = "note 0" });

        var refused = Assert.Throws<UniqueConstraintException>(() => new NotedLines(db, new NoteIndex("Note", unique: true)));

        Assert.Equal("Note", refused.Index);
        Assert.Equal(10, plain.Count());
        plain.Delete(new LineKey(0, 1));
        Assert.Empty(new NotedLines(db, new NoteIndex("Note", unique: true)).CheckConsistency());
    }

    [Fact]
    public void Existing_index_keyspaces_of_a_database_without_recorded_definitions_are_kept_as_they_are()
    {
        using var db = Database.OpenInMemory();
        Insert(new NotedLines(db, new NoteIndex("Note", unique: false)), 0, 10);
        db.Write(tx => tx.DeleteKeyspace(tx.GetKeyspace("lines#$indexes"))); // as written before definitions were recorded
        var version = db.GetStatistics().Version;

        var reopened = new NotedLines(db, new NoteIndex("Note", unique: false));

        Assert.Empty(reopened.CheckConsistency());
        Assert.Equal(10, Count(db, "lines#Note"));
        Assert.Equal(version + 1, db.GetStatistics().Version); // one commit: the definitions recorded, no entry written
        var again = db.GetStatistics().Version;
        _ = new NotedLines(db, new NoteIndex("Note", unique: false));
        Assert.Equal(again, db.GetStatistics().Version); // and nothing at all once recorded
    }

    [Fact]
    public void An_index_built_in_a_transaction_larger_than_the_page_cache_spills_and_holds_every_document()
    {
        var options = TestDatabases.Small();
        options.SpillLeavesAfter = 64;
        using var db = TestDatabases.Open(new SimulatedFileSystem(), options);
        var plain = new NotedLines(db);
        var padding = new string('x', 200);
        for (var batch = 0; batch < 10; batch++)
        {
            plain.InsertMany(Enumerable.Range(batch * 1000, 1000).Select(i => new Line { Order = i / 10, No = i % 10, Note = $"note {i:D6} {padding}" }));
        }

        var spilled = db.GetStatistics().SpilledPages;

        var indexed = new NotedLines(db, new NoteIndex("Note", unique: true));

        Assert.True(db.GetStatistics().SpilledPages > spilled, "the build did not spill");
        Assert.Empty(indexed.CheckConsistency());
        Assert.Equal(10_000, Count(db, "lines#Note"));
        TestDatabases.AssertConsistent(db);
    }

    private static void Insert(NotedLines lines, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            lines.Insert(new Line { Order = i / 10, No = i % 10, Note = $"note {i}" });
        }
    }

    private static long Count(Database db, string keyspace)
    {
        using var tx = db.BeginRead();
        return tx.Count(tx.GetKeyspace(keyspace));
    }

    /// <summary><see cref="Line"/> documents (the "lines" collection) with the indexes a version of the application declares.</summary>
    private sealed class NotedLines(Database database, params IndexSchema<Line>[] indexes)
        : Collection<Line, LineKey>(database, new NotedSchema(indexes))
    {
        private sealed class NotedSchema(IndexSchema<Line>[] indexes) : DocumentSchema<Line, LineKey>("lines", indexes, LineSchema.Instance.KeyEncodings)
        {
            private static readonly DocumentSchema<Line, LineKey> Lines = LineSchema.Instance;

            public override LineKey GetKey(Line document) => Lines.GetKey(document);

            public override void WriteKey(ref KeyWriter writer, LineKey key) => Lines.WriteKey(ref writer, key);

            public override LineKey ReadKey(ref KeyReader reader) => Lines.ReadKey(ref reader);

            public override void Serialize(ref MessagePackWriter writer, Line document) => Lines.Serialize(ref writer, document);

            public override Line Deserialize(ref MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey) => Lines.Deserialize(ref reader, primaryKey);
        }
    }

    private sealed class NoteIndex(string name, bool unique) : IndexSchema<Line>(name, unique, ["Note"], ["String"])
    {
        public override bool WriteKey(ref KeyWriter writer, Line document)
        {
            writer.WriteString(document.Note);
            return true;
        }

        public override void SkipKey(ref KeyReader reader) => reader.ReadString();
    }
}
