using Persistence.Collections;
using Persistence.Serialization;

namespace Persistence.Tests.Collections;

/// <content>Parts: the document type of the refusal tests, with a getter and a serializer that can be made to throw.</content>
public sealed partial class BulkInsertTests
{
    public sealed class Part
    {
        /// <summary>A code the serializer refuses.</summary>
        public const string SerializerThrows = "serializer throws";

        /// <summary>A code whose unique index's getter throws.</summary>
        public const string GetterThrows = "getter throws";

        /// <summary>A code whose unique index's getter writes no byte (a hand-written schema can): a key must have one.</summary>
        public const string NoBytes = "no bytes";

        public long Id { get; init; }

        public string Code { get; set; } = "";

        public string Tag { get; set; } = "";

        public DateTimeOffset? ExpiresAt { get; set; }
    }

    /// <summary>Parts, shared with <see cref="BulkInsertCrashTests"/>.</summary>
    internal sealed class PartCollection(Database database) : Collection<Part, long>(database, PartSchema.Instance)
    {
        /// <summary>The entries of the tag index: one per part.</summary>
        public long TagEntries()
        {
            using var read = Database.BeginRead();
            return read.Count(IndexKeyspace(0));
        }

        /// <summary>The keys of the documents with an entry in the expiry index (its entry: the instant, then the key).</summary>
        public HashSet<long> ExpiryEntries(Transaction transaction) =>
        [
            .. transaction.Scan(transaction.GetKeyspace(IndexKeyspaceName(Name, "$expiry")))
                .Select(e => new KeyReader(e.Key.AsSpan(sizeof(long))).ReadInt64()),
        ];

        public Part? ByCode(string code, Transaction transaction)
        {
            var writer = new KeyWriter(stackalloc byte[64]);
            try
            {
                writer.WriteString(code);
                return transaction.TryGet(IndexKeyspace(1), writer.ToArray(), out var key)
                    ? Get(new KeyReader(key).ReadInt64(), transaction)
                    : null;
            }
            finally
            {
                writer.Dispose();
            }
        }
    }

    /// <summary>
    /// Parts: an index on the tag, then a unique one on the code (a chunk whose code is taken has put every tag entry by
    /// then), and an expiry member.
    /// </summary>
    private sealed class PartSchema : DocumentSchema<Part, long>
    {
        public static readonly PartSchema Instance = new();

        private PartSchema()
            : base("parts", [new TagIndex(), new CodeIndex()])
        {
        }

        public override long GetKey(Part document) => document.Id;

        public override void WriteKey(ref KeyWriter writer, long key) => writer.WriteInt64(key);

        public override long ReadKey(ref KeyReader reader) => reader.ReadInt64();

        public override bool HasExpiresAt => true;

        public override DateTimeOffset? GetExpiresAt(Part document) => document.ExpiresAt;

        public override void Serialize(ref MessagePackWriter writer, Part document)
        {
            if (document.Code == Part.SerializerThrows)
            {
                throw new InvalidOperationException("The serializer refuses this document.");
            }

            writer.WriteArrayHeader(3);
            writer.WriteString(document.Code);
            writer.WriteString(document.Tag);
            if (document.ExpiresAt is { } expiresAt)
            {
                writer.Write(expiresAt);
            }
            else
            {
                writer.WriteNil();
            }
        }

        public override Part Deserialize(ref MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey)
        {
            var id = new KeyReader(primaryKey).ReadInt64();
            reader.ReadArrayHeader();
            var code = reader.ReadNullableString() ?? "";
            var tag = reader.ReadNullableString() ?? "";
            var expiresAt = reader.TryReadNil() ? (DateTimeOffset?)null : reader.ReadDateTimeOffset();
            return new Part { Id = id, Code = code, Tag = tag, ExpiresAt = expiresAt };
        }
    }

    private sealed class CodeIndex() : IndexSchema<Part>("Code", true, ["Code"])
    {
        public override bool WriteKey(ref KeyWriter writer, Part document)
        {
            switch (document.Code)
            {
                case Part.GetterThrows:
                    throw new InvalidOperationException("The getter of the code throws.");
                case Part.NoBytes:
                    return true;
                default:
                    writer.WriteString(document.Code);
                    return true;
            }
        }

        public override void SkipKey(ref KeyReader reader) => reader.ReadString();
    }

    private sealed class TagIndex() : IndexSchema<Part>("Tag", false, ["Tag"])
    {
        public override bool WriteKey(ref KeyWriter writer, Part document)
        {
            writer.WriteString(document.Tag);
            return true;
        }

        public override void SkipKey(ref KeyReader reader) => reader.ReadString();
    }

    /// <summary>
    /// A collection that is not an <see cref="ICollection{T}"/>: its count is known before it is read, as InsertMany
    /// asks of a sequence it takes in chunks, and its items come from <paramref name="items"/> as it is read.
    /// </summary>
    private sealed class Counted<T>(IEnumerable<T> items, int count) : IReadOnlyCollection<T>
    {
        public int Count => count;

        public IEnumerator<T> GetEnumerator() => items.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
