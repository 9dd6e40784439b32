using System.Runtime.CompilerServices;
using Persistence.Collections;
using Persistence.Serialization;

namespace Persistence.Tests.Collections;

/// <content>
/// The chunk buffers a call keeps for the next (Collection.Bulk.cs) are held by one call at a time: an InsertMany that
/// a getter of another's chunk runs, or one in another transaction on another thread meanwhile, gets buffers of its
/// own; and a call that ended in a refusal or a getter's exception leaves nothing in them that the next call reads.
/// </content>
public sealed partial class BulkInsertTests
{
    /// <summary>
    /// The tag getter of the outer call's 301st part runs an InsertMany of 600 parts in the same transaction while the
    /// outer chunk is half prepared (in the buffers a call of 600 parts kept): both go in bulk, and the trees are what
    /// one by one leaves. Were those buffers handed to the inner call too, it would write its own parts, keys and
    /// entries over the outer chunk's, and clear it.
    /// </summary>
    [Fact]
    public void An_InsertMany_run_by_a_getter_of_a_chunk_leaves_what_one_by_one_leaves()
    {
        var outer = Enumerable.Range(0, 600).Select(NewPart).ToList();
        var inner = Enumerable.Range(10_000, 600).Select(NewPart).ToList();

        var (trees, inBulk) = Insert(bulkChunk: 1_024);
        var (oneByOneTrees, _) = Insert(bulkChunk: 0);

        Assert.Equal(1_800, inBulk);
        Assert.Equal(oneByOneTrees, trees);
        Assert.Equal(1_800, trees.Count(t => t.StartsWith("parts ", StringComparison.Ordinal)));

        (List<string> Trees, long InBulk) Insert(int bulkChunk)
        {
            HookedParts? parts = null;
            WriteTransaction? tx = null;
            var ran = false;
            parts = new HookedParts(OpenInMemory(), part =>
            {
                if (part.Id == 300 && tx is not null && !ran)
                {
                    ran = true;
                    parts!.InsertMany(inner, tx);
                }
            })
            { BulkChunk = bulkChunk };

            using var write = tx = parts.Database.BeginWrite();
            tx.CreateKeyspace("promotes");
            parts.InsertMany(Enumerable.Range(50_000, 600).Select(NewPart).ToList(), tx); // keeps the buffers the outer call takes
            parts.InsertMany(outer, tx);
            Assert.True(ran);
            Assert.Empty(parts.CheckConsistency(tx));
            return (Trees(tx, "parts"), parts.BulkInserted);
        }
    }

    /// <summary>
    /// Two transactions insert into one collection on two threads, the first held inside its chunk's preparation (its
    /// 301st part's tag getter, in the buffers an earlier call kept) until the second's InsertMany has ended: each call
    /// has buffers of its own, and both commit every part with its entries.
    /// </summary>
    [Fact]
    public async Task InsertMany_in_two_transactions_at_once_each_write_their_own_documents()
    {
        var first = Enumerable.Range(0, 600).Select(NewPart).ToList();
        var second = Enumerable.Range(20_000, 600).Select(NewPart).ToList();
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var parts = new HookedParts(OpenInMemory(), part =>
        {
            if (part.Id == 300 && !inside.IsSet)
            {
                inside.Set();
                Assert.True(release.Wait(TimeSpan.FromMinutes(1)), "the second call never ended");
            }
        })
        { BulkChunk = 1_024 };

        InsertAndCommit(Enumerable.Range(50_000, 600).Select(NewPart).ToList()); // keeps the buffers the first call takes
        var held = Task.Factory.StartNew(() => InsertAndCommit(first), TaskCreationOptions.LongRunning);
        Assert.True(inside.Wait(TimeSpan.FromMinutes(1)), "the first call never reached its 301st part");
        try
        {
            InsertAndCommit(second);
        }
        finally
        {
            release.Set();
        }

        await held;
        Assert.Equal(1_800, parts.BulkInserted);
        Assert.Equal(1_800, parts.Count());
        using (var read = parts.Database.BeginRead())
        {
            Assert.All(first.Concat(second), p => Assert.Equal(p.Id, parts.ByCode(p.Code, read)?.Id));
        }

        Assert.Empty(parts.CheckConsistency());

        void InsertAndCommit(List<Part> documents)
        {
            using var tx = parts.Database.BeginWrite();
            tx.CreateKeyspace("promotes" + documents[0].Id);
            parts.InsertMany(documents, tx);
            tx.Commit();
        }
    }

    /// <summary>
    /// A call whose chunk ends at a getter's exception (its buffers left mid-preparation), then one whose chunk ends at a
    /// code repeated within it, then one whose code repeats a stored one, each in the collection's kept buffers: the
    /// documents before each refusal are written, and the trees are what one by one leaves. Parts without a code have
    /// no entry in the unique index, so they are never repeats of each other.
    /// </summary>
    [Fact]
    public void Calls_after_refused_chunks_leave_what_one_by_one_leaves()
    {
        var throwing = Enumerable.Range(0, 600).Select(NewPart).Select(p => p.Id == 400 ? Coded(p, Part.GetterThrows) : p).ToList();
        var repeated = Enumerable.Range(1_000, 600).Select(NewPart).Select(p => p.Id == 1_500 ? Coded(p, "c1200") : p).ToList();
        var taken = Enumerable.Range(2_000, 600).Select(NewPart).Select(p => p.Id == 2_450 ? Coded(p, "c1100") : p).ToList();
        var uncoded = Enumerable.Range(3_000, 600).Select(NewPart).Select(p => p.Id % 3 == 0 ? Coded(p, "") : p).ToList();

        var (refusals, trees, inBulk) = Insert(bulkChunk: 1_024);
        var (expected, oneByOneTrees, _) = Insert(bulkChunk: 0);

        Assert.Equal(expected, refusals);
        Assert.Equal([nameof(InvalidOperationException), nameof(UniqueConstraintException), nameof(UniqueConstraintException), null], refusals);
        Assert.Equal(oneByOneTrees, trees);
        Assert.Equal(400 + 500 + 450 + 600, inBulk);

        (List<string?> Refusals, List<string> Trees, long InBulk) Insert(int bulkChunk)
        {
            var parts = new HookedParts(OpenInMemory(), _ => { }) { BulkChunk = bulkChunk };
            using var tx = parts.Database.BeginWrite();
            tx.CreateKeyspace("promotes");
            var refusals = new[] { throwing, repeated, taken, uncoded }
                .Select(documents => Record.Exception(() => parts.InsertMany(documents, tx))?.GetType().Name)
                .ToList();
            Assert.Empty(parts.CheckConsistency(tx));
            return (refusals, Trees(tx, "parts"), parts.BulkInserted);
        }

        static Part Coded(Part part, string code)
        {
            part.Code = code;
            return part;
        }
    }

    /// <summary>
    /// A chunk's unique values are compared with its own only: a call whose transaction is rolled back leaves its values
    /// in the kept buffers, and the next call, of the same parts in reverse order, finds no repeat among them.
    /// </summary>
    [Fact]
    public void A_chunk_compares_its_unique_values_with_its_own_only()
    {
        var parts = new HookedParts(OpenInMemory(), _ => { }) { BulkChunk = 1_024 };
        var documents = Enumerable.Range(0, 600).Select(NewPart).ToList();
        using (var rolledBack = parts.Database.BeginWrite())
        {
            rolledBack.CreateKeyspace("promotes");
            parts.InsertMany(documents, rolledBack);
        }

        using (var tx = parts.Database.BeginWrite())
        {
            tx.CreateKeyspace("promotes");
            parts.InsertMany(Enumerable.Reverse(documents).ToList(), tx);
            tx.Commit();
        }

        Assert.Equal(1_200, parts.BulkInserted);
        Assert.Equal(600, parts.Count());
        Assert.Empty(parts.CheckConsistency());
    }

    /// <summary>
    /// Unique values that are prefixes of each other, or differ only past a NUL, are distinct; one repeated within the
    /// chunk ends the run before its second holder, as one by one refuses it there.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Unique_values_that_share_a_prefix_are_distinct_and_a_repeat_is_refused(bool repeat)
    {
        string[] codes = ["a", "a\0", "a\0\0", "ab", "a\uffff", "\0", "b"];
        var documents = Enumerable.Range(0, 700).Select(NewPart).ToList();
        for (var i = 0; i < codes.Length; i++)
        {
            documents[100 + 50 * i].Code = codes[i];
        }

        if (repeat)
        {
            documents[600].Code = "a\0";
        }

        var (refused, trees, inBulk) = Insert(bulkChunk: 1_024);
        var (expected, oneByOneTrees, _) = Insert(bulkChunk: 0);

        Assert.Equal(expected?.GetType(), refused?.GetType());
        Assert.Equal(repeat, refused is UniqueConstraintException);
        Assert.Equal(oneByOneTrees, trees);
        Assert.Equal(repeat ? 600 : 700, inBulk);

        (Exception? Refused, List<string> Trees, long InBulk) Insert(int bulkChunk)
        {
            var parts = new HookedParts(OpenInMemory(), _ => { }) { BulkChunk = bulkChunk };
            using var tx = parts.Database.BeginWrite();
            tx.CreateKeyspace("promotes");
            var refused = Record.Exception(() => parts.InsertMany(documents, tx));
            Assert.Empty(parts.CheckConsistency(tx));
            return (refused, Trees(tx, "parts"), parts.BulkInserted);
        }
    }

    /// <summary>
    /// A getter that the serializer reads runs an InsertMany of 600 parts in the same transaction while the outer part's
    /// bytes are under way: every part, outer and inner, reads back as it was written, in bulk and one by one.
    /// </summary>
    [Theory]
    [InlineData(1_024)]
    [InlineData(0)]
    public void An_InsertMany_run_by_a_getter_the_serializer_reads_leaves_every_document_whole(int bulkChunk)
    {
        var outer = Enumerable.Range(0, 600).Select(NewPart).ToList();
        var inner = Enumerable.Range(10_000, 600).Select(NewPart).ToList();
        var parts = InsertWritingWhileSerializing(bulkChunk, outer, (parts, tx) => parts.InsertMany(inner, tx));

        Assert.Equal(bulkChunk == 0 ? 0 : 1_200, parts.BulkInserted);
        Assert.All(outer.Concat(inner), p => Assert.Equal((p.Code, p.Tag, p.ExpiresAt), Stored(p.Id)));
        Assert.Empty(parts.CheckConsistency());

        (string, string, DateTimeOffset?)? Stored(long id) => parts.Get(id) is { } stored ? (stored.Code, stored.Tag, stored.ExpiresAt) : null;
    }

    /// <summary>
    /// A getter the serializer reads deletes a part of the same chunk: whether it finds it or not, the collection stays
    /// consistent, every part it holds with its entries and no entry without its part.
    /// </summary>
    [Theory]
    [InlineData(1_024)]
    [InlineData(0)]
    public void A_delete_run_by_a_getter_the_serializer_reads_leaves_the_collection_consistent(int bulkChunk)
    {
        var documents = Enumerable.Range(0, 600).Select(NewPart).ToList();
        var parts = InsertWritingWhileSerializing(bulkChunk, documents, (parts, tx) => parts.Delete(100, tx));

        Assert.Empty(parts.CheckConsistency());
        Assert.Equal(parts.Count(), Trees(parts.Database, "parts").Count(t => t.StartsWith("parts#Code ", StringComparison.Ordinal)));
    }

    /// <summary>
    /// Inserts <paramref name="documents"/> in a transaction of their own, where the serializer of part 300, reading its
    /// getters, first runs <paramref name="write"/> (once); the transaction is consistent before its commit.
    /// </summary>
    private HookedParts InsertWritingWhileSerializing(int bulkChunk, List<Part> documents, Action<HookedParts, WriteTransaction> write)
    {
        HookedParts? parts = null;
        WriteTransaction? tx = null;
        var ran = false;
        parts = new HookedParts(OpenInMemory(), _ => { }, part =>
        {
            if (part.Id == 300 && tx is not null && !ran)
            {
                ran = true;
                write(parts!, tx);
            }
        })
        { BulkChunk = bulkChunk };

        using (tx = parts.Database.BeginWrite())
        {
            tx.CreateKeyspace("promotes");
            parts.InsertMany(documents, tx);
            Assert.Empty(parts.CheckConsistency(tx));
            tx.Commit();
        }

        Assert.True(ran);
        return parts;
    }

    /// <summary>
    /// A call that throws (its second chunk's code getter, at part 1,500) keeps buffers holding none of its documents:
    /// the chunk it was writing is cleared as a call that ends well clears it.
    /// </summary>
    [Fact]
    public void The_kept_buffers_of_a_call_that_threw_hold_no_document()
    {
        var parts = new HookedParts(OpenInMemory(), _ => { }) { BulkChunk = 1_024 };
        AssertCollected(InsertThrowingAndForget(parts));
        Assert.Equal(1_500, parts.Count());
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // the documents are out of reach once it returns
    private static WeakReference<Part> InsertThrowingAndForget(HookedParts parts)
    {
        var documents = Enumerable.Range(0, 2_000).Select(NewPart).ToList();
        documents[1_500].Code = Part.GetterThrows;
        using var tx = parts.Database.BeginWrite();
        tx.CreateKeyspace("promotes");
        Assert.IsType<InvalidOperationException>(Record.Exception(() => parts.InsertMany(documents, tx)));
        tx.Commit();
        Assert.Equal(1_500, parts.BulkInserted);
        return new WeakReference<Part>(documents[^1]); // in the chunk being written when the getter threw
    }

    /// <summary>
    /// Parts whose tag getter, serializer and expiry getter call a hook first, and whose empty code has no entry in the
    /// unique index.
    /// </summary>
    internal sealed class HookedParts(Database database, Action<Part> onTag, Action<Part>? onSerialize = null, Action<Part>? onExpiry = null)
        : Collection<Part, long>(database, new HookedPartSchema(onTag, onSerialize ?? (_ => { }), onExpiry ?? (_ => { })))
    {
        public Part? ByCode(string code, Transaction transaction)
        {
            var writer = new KeyWriter(stackalloc byte[64]);
            try
            {
                writer.WriteString(code);
                return transaction.TryGet(IndexKeyspace(1), writer.WrittenSpan, out var key)
                    ? Get(new KeyReader(key).ReadInt64(), transaction)
                    : null;
            }
            finally
            {
                writer.Dispose();
            }
        }
    }

    private sealed class HookedPartSchema(Action<Part> onTag, Action<Part> onSerialize, Action<Part> onExpiry)
        : DocumentSchema<Part, long>("parts", [new HookedTagIndex(onTag), new OptionalCodeIndex()])
    {
        private static readonly PartSchema Parts = PartSchema.Instance;

        public override long GetKey(Part document) => Parts.GetKey(document);

        public override void WriteKey(ref KeyWriter writer, long key) => Parts.WriteKey(ref writer, key);

        public override long ReadKey(ref KeyReader reader) => Parts.ReadKey(ref reader);

        public override bool HasExpiresAt => Parts.HasExpiresAt;

        public override DateTimeOffset? GetExpiresAt(Part document)
        {
            onExpiry(document);
            return Parts.GetExpiresAt(document);
        }

        public override void Serialize(ref MessagePackWriter writer, Part document)
        {
            writer.WriteArrayHeader(3); // before the hook: a document's bytes are under way when a getter runs
            writer.WriteString(document.Code);
            onSerialize(document);
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

        public override Part Deserialize(ref MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey) =>
            Parts.Deserialize(ref reader, primaryKey);
    }

    private sealed class HookedTagIndex(Action<Part> onTag) : IndexSchema<Part>("Tag", false, ["Tag"])
    {
        public override bool WriteKey(ref KeyWriter writer, Part document)
        {
            onTag(document);
            writer.WriteString(document.Tag);
            return true;
        }

        public override void SkipKey(ref KeyReader reader) => reader.ReadString();
    }

    /// <summary>The unique code, as <see cref="CodeIndex"/>; an empty code has no entry (as a null member has none).</summary>
    private sealed class OptionalCodeIndex() : IndexSchema<Part>("Code", true, ["Code"])
    {
        private readonly CodeIndex _code = new();

        public override bool WriteKey(ref KeyWriter writer, Part document) =>
            document.Code.Length > 0 && _code.WriteKey(ref writer, document);

        public override void SkipKey(ref KeyReader reader) => reader.ReadString();
    }
}
