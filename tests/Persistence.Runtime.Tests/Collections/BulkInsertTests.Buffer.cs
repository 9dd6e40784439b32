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
}
