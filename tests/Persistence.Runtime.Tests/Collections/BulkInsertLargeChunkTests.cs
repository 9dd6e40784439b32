using Persistence.Collections;
using Persistence.Serialization;

namespace Persistence.Tests.Collections;

/// <summary>
/// A chunk of <c>InsertMany</c> keeps its documents' encodings, in one buffer, from their unlogged puts until its run is
/// logged (Collection.Bulk.cs). Whatever that buffer cannot take must end the run before the document is put, never
/// after: a put left in the tree without its log entry would be adopted by the commit without being in the WAL.
/// </summary>
public sealed class BulkInsertLargeChunkTests
{
    /// <summary>
    /// The buffer holds <c>BulkBytes</c> (lowered here to 4 KiB, about 40 of these documents). A document that would
    /// pass it ends the run before its put, and the rest of the chunk is written one by one: every document is written,
    /// and the log holds exactly what the tree took. (Once, past 2 GiB, the buffer failed after the put and the failure
    /// was taken for a refusal before it: the document stayed in the tree unlogged, and the one-by-one write of the rest
    /// refused it as a duplicate.)
    /// </summary>
    [Theory]
    [InlineData(4_096, 100)] // many documents fit
    [InlineData(4_096, 5_000)] // each document alone is past the limit: one per run, the rest one by one
    public void A_chunk_whose_encodings_pass_the_buffer_writes_and_logs_every_document(int limit, int size)
    {
        const int count = 300; // a chunk taken in bulk
        var payload = new byte[size];
        payload.AsSpan().Fill(0x5A);
        var documents = Enumerable.Range(0, count).Select(i => new Blob { Id = $"b{i:000}", Payload = payload }).ToList();
        var options = new DatabaseOptions();
        options.Ttl.RunCollectorInBackground = false;
        using var database = Database.OpenInMemory(options);
        var blobs = new BlobCollection(database) { BulkChunk = 1_024, BulkBytes = limit };

        using var tx = database.BeginWrite();
        tx.CreateKeyspace("promotes");
        var before = tx.LoggedOperations;
        blobs.InsertMany(documents, tx);
        Assert.Equal(count, blobs.Count(tx));
        Assert.Equal(count, tx.LoggedOperations - before); // each document's put (no expiry: no entries)
        var fits = Math.Max(1, limit / size); // each encoding is a little larger than its payload
        Assert.InRange(blobs.BulkInserted, 1, fits); // the run ends before the encoding the buffer cannot take
        Assert.All(documents, d => Assert.Equal(size, blobs.Get(d.Id, tx)?.Payload.Length));
        Assert.Empty(blobs.CheckConsistency(tx));
        tx.Commit();
        Assert.Equal(count, blobs.Count());
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
