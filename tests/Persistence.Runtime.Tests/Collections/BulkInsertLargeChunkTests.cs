using Persistence.Collections;
using Persistence.Serialization;

namespace Persistence.Tests.Collections;

/// <summary>Alone: the test below holds several GiB (a chunk of 2 GiB of encodings, the tree and the log of it).</summary>
[CollectionDefinition(nameof(BulkInsertLargeChunkTests), DisableParallelization = true)]
public sealed class BulkInsertLargeChunkCollection;

/// <summary>
/// A chunk of <c>InsertMany</c> keeps its documents' encodings, in one buffer, from their unlogged puts until its run is
/// logged (Collection.Bulk.cs). Whatever that buffer cannot take must end the run before the document is put, never
/// after: a put left in the tree without its log entry would be adopted by the commit without being in the WAL.
/// </summary>
[Collection(nameof(BulkInsertLargeChunkTests))]
public sealed class BulkInsertLargeChunkTests
{
    /// <summary>
    /// Past 2 GiB of encodings (33 documents near the 64 MiB value limit) the buffer cannot take the next one. It was
    /// kept after the document's put, and the failure was swallowed as a document refused before its put: the document
    /// stayed in the tree unlogged, the one-by-one write of the rest of the chunk found its key and refused a valid
    /// document as a duplicate, and a caller's transaction that went on to commit adopted a tree holding a document its
    /// log lacked. Now the run ends before it and the rest of the chunk is written one by one: every document is
    /// written, and the log holds exactly what the tree took.
    /// </summary>
    [Fact]
    public void A_chunk_whose_encodings_pass_2_GiB_writes_and_logs_every_document()
    {
        const int count = 256; // the smallest chunk taken in bulk
        const int large = 33; // 33 x (64 MiB - 16 + 6) > int.MaxValue
        var payload = new byte[Database.MaxValueSize - 16];
        payload.AsSpan().Fill(0x5A);
        var documents = Enumerable.Range(0, count).Select(i => new Blob { Id = $"b{i:000}", Payload = i < large ? payload : [(byte)i] }).ToList();
        var options = new DatabaseOptions();
        options.Ttl.RunCollectorInBackground = false;
        using var database = Database.OpenInMemory(options);
        var blobs = new BlobCollection(database) { BulkChunk = 1_024 };

        using var tx = database.BeginWrite();
        tx.CreateKeyspace("promotes");
        var before = tx.LoggedOperations;
        var thrown = Record.Exception(() => blobs.InsertMany(documents, tx));
        Assert.Equal(blobs.Count(tx), tx.LoggedOperations - before); // each document's put (no expiry: no entries)
        Assert.Null(thrown);
        Assert.Equal(count, blobs.Count(tx));
        Assert.InRange(blobs.BulkInserted, 1, large - 1); // the run ends before the encoding the buffer cannot take
        Assert.Equal(payload.Length, blobs.Get("b032", tx)?.Payload.Length);
        tx.Rollback();
    }

    public sealed class Blob
    {
        public string Id { get; init; } = "";

        public byte[] Payload { get; init; } = [];

        public DateTimeOffset? ExpiresAt { get; init; }
    }

    private sealed class BlobCollection(Database database) : Collection<Blob, string>(database, BlobSchema.Instance);

    /// <summary>Blobs: a string key, a payload and an expiry, no index (the expiry index alone makes a chunk worth it).</summary>
    private sealed class BlobSchema : DocumentSchema<Blob, string>
    {
        public static readonly BlobSchema Instance = new();

        private BlobSchema()
            : base("blobs", [])
        {
        }

        public override string GetKey(Blob document) => document.Id;

        public override void WriteKey(ref KeyWriter writer, string key) => writer.WriteString(key);

        public override string ReadKey(ref KeyReader reader) => reader.ReadString();

        public override bool HasExpiresAt => true;

        public override DateTimeOffset? GetExpiresAt(Blob document) => document.ExpiresAt;

        public override void Serialize(ref MessagePackWriter writer, Blob document)
        {
            writer.WriteArrayHeader(1);
            writer.WriteBinary(document.Payload);
        }

        public override Blob Deserialize(ref MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey)
        {
            var id = new KeyReader(primaryKey).ReadString();
            reader.ReadArrayHeader();
            return new Blob { Id = id, Payload = reader.ReadBinary() };
        }
    }
}
