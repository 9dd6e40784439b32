using System.Runtime.CompilerServices;

namespace Persistence.Tests.Collections;

/// <content>
/// A chunk's keys and entries are written into one buffer reused from chunk to chunk, and its unique values are checked
/// for repeats there (Collection.BulkEntries.cs): keys and values longer than the room a key writer starts in, chunks
/// that outgrow the buffer, and what a chunk allocates.
/// </content>
public sealed partial class BulkInsertTests
{
    /// <summary>
    /// Codes and tags of 300 characters are each written past the 128 bytes a key writer starts in (they continue in a
    /// pooled array and are copied into the buffer), and a chunk of 1,024 such parts takes about 700 KiB, many times the
    /// buffer's first 64 KiB. A repeated code, both written that way, still ends the run before the second holder, and
    /// the trees are what one by one leaves.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Keys_and_values_past_the_chunk_buffers_room_leave_the_trees_one_by_one_leaves(bool repeat)
    {
        const int count = 3_000; // chunks of 1,024: the repeat (1,400 of 1,100) lies in the second
        var parts = Enumerable.Range(0, count).Select(LongPart).ToList();
        if (repeat)
        {
            parts[1_400].Code = parts[1_100].Code;
        }

        var (thrown, trees, inBulk) = Insert(bulkChunk: 1_024);
        var (expected, oneByOneTrees, _) = Insert(bulkChunk: 0);

        Assert.Equal(expected?.GetType(), thrown?.GetType());
        Assert.Equal(expected?.Message, thrown?.Message);
        Assert.Equal(repeat ? 1_400 : count, inBulk);
        Assert.Equal(oneByOneTrees, trees);
        Assert.Equal(repeat ? 1_400 : count, trees.Count(t => t.StartsWith("parts ", StringComparison.Ordinal)));

        (Exception? Thrown, List<string> Trees, long InBulk) Insert(int bulkChunk)
        {
            var collection = new PartCollection(OpenInMemory()) { BulkChunk = bulkChunk };
            using var tx = collection.Database.BeginWrite();
            tx.CreateKeyspace("promotes");
            var refused = Record.Exception(() => collection.InsertMany(parts, tx));
            Assert.Empty(collection.CheckConsistency(tx));
            return (refused, Trees(tx, "parts"), collection.BulkInserted);
        }

        static Part LongPart(int i) => new()
        {
            Id = i,
            Code = $"c{i}-" + new string('c', 300),
            Tag = $"t{i % 7}-" + new string('t', 300),
            ExpiresAt = i % 2 == 0 ? Start + TimeSpan.FromHours(1) : null,
        };
    }

    /// <summary>
    /// A chunk allocates no array per document for its keys and entries. Both paths put the same keys into each tree in
    /// the same order, so their trees allocate the same pages; one by one also allocates, for each of these users, its
    /// key, its email and age, the age entry and (on one in three) the expiry entry, about 200 bytes. Chunks write those
    /// into their buffer (measured at 212 bytes a document fewer; 14 when each was an array of its own).
    /// </summary>
    [Fact]
    public void A_chunk_allocates_no_array_per_document_for_its_keys_and_entries()
    {
        const int count = 20_480;
        var documents = Enumerable.Range(10_000, count).Select(NewUser).ToList();
        var inBulk = Allocated(bulkChunk: 1_024);
        var oneByOne = Allocated(bulkChunk: 0);

        Assert.InRange((oneByOne - inBulk) / (double)count, 150, double.MaxValue);

        long Allocated(int bulkChunk)
        {
            var users = new UserCollection(OpenInMemory()) { BulkChunk = bulkChunk };
            using var tx = users.Database.BeginWrite();
            tx.CreateKeyspace("promotes");
            users.InsertMany(Enumerable.Range(0, 4_096).Select(NewUser).ToList(), tx); // the private tree, and code run once
            var before = GC.GetAllocatedBytesForCurrentThread();
            users.InsertMany(documents, tx);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(bulkChunk == 0 ? 0 : 4_096 + count, users.BulkInserted);
            return allocated;
        }
    }

    /// <summary>
    /// A call keeps its buffers for the next: a chunk whose first key is stored computes every document's key and entries
    /// and puts none (its first put finds the key, and one by one refuses it), so a call of it allocates little beyond
    /// the buffers, which only the first call makes (about 200 KiB for a chunk of 1,024 users).
    /// </summary>
    [Fact]
    public void A_call_reuses_the_buffers_of_the_call_before()
    {
        var users = new UserCollection(OpenInMemory()) { BulkChunk = 1_024 };
        using var tx = users.Database.BeginWrite();
        tx.CreateKeyspace("promotes");
        users.Insert(NewUser(0), tx);
        var documents = Enumerable.Range(0, 1_024).Select(NewUser).ToList();
        var first = Refused();
        var second = Refused();

        Assert.InRange(first, 128 * 1024, long.MaxValue);
        Assert.InRange(second, 0, 32 * 1024);
        Assert.Equal(1, users.Count(tx));
        Assert.Equal(0, users.BulkInserted);

        long Refused()
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Assert.Equal(ErrorCode.DuplicateKey, Assert.Throws<DocumentException>(() => users.InsertMany(documents, tx)).Code);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
    }

    /// <summary>The buffers a call keeps for the next hold none of its documents.</summary>
    [Fact]
    public void The_kept_buffers_hold_no_document()
    {
        var users = new UserCollection(OpenInMemory()) { BulkChunk = 1_024 };
        AssertCollected(InsertAndForget(users));
        Assert.Equal(2_000, users.Count());
    }

    /// <summary>Nothing holds the target of <paramref name="reference"/> any more: a full collection frees it.</summary>
    private static void AssertCollected<T>(WeakReference<T> reference)
        where T : class
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(reference.TryGetTarget(out _));
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // the documents are out of reach once it returns
    private static WeakReference<User> InsertAndForget(UserCollection users)
    {
        var documents = Enumerable.Range(0, 2_000).Select(NewUser).ToList();
        using var tx = users.Database.BeginWrite();
        tx.CreateKeyspace("promotes");
        users.InsertMany(documents, tx);
        tx.Commit();
        Assert.Equal(2_000, users.BulkInserted);
        return new WeakReference<User>(documents[^1]); // the last chunk's last document: in the kept chunk until cleared
    }
}
