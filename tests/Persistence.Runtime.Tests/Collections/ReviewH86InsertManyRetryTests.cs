namespace Persistence.Tests.Collections;

/// <summary>
/// Review h86: <c>InsertMany</c> without a transaction promises "all or none", and reads a lazy sequence one document at
/// a time. It runs in <see cref="Database.Write{T}(Func{WriteTransaction, T}, RetryPolicy?, Durability?)"/>, which
/// retries the whole delegate after a write conflict, so the retry enumerates the caller's sequence a second time. A
/// sequence that can be read once (a queue being drained, a channel, a network stream) yields nothing the second time:
/// the retry commits an empty transaction and the call returns as if every document had been written.
/// </summary>
public sealed class ReviewH86InsertManyRetryTests : IDisposable
{
    private readonly Database _db = Database.OpenInMemory();
    private readonly UserCollection _users;

    public ReviewH86InsertManyRetryTests() => _users = new UserCollection(_db);

    public void Dispose() => _db.Dispose();

    [Fact]
    public void InsertMany_of_a_one_shot_sequence_that_loses_a_write_conflict_writes_all_its_documents_or_throws()
    {
        var queue = Batch();
        var error = Record.Exception(() => _users.InsertMany(Drain(queue, ConflictOnKey3)));

        // All or none: either the call reports a failure, or every document it was handed is stored.
        if (error is null)
        {
            Assert.Equal([1L, 2L, 3L], _users.All().Select(u => u.Id));
        }
    }

    [Fact]
    public async Task InsertManyAsync_of_a_one_shot_sequence_that_loses_a_write_conflict_writes_all_its_documents_or_throws()
    {
        var queue = Batch();
        var error = await Record.ExceptionAsync(() => _users.InsertManyAsync(Drain(queue, ConflictOnKey3)));

        if (error is null)
        {
            Assert.Equal([1L, 2L, 3L], _users.All().Select(u => u.Id));
        }
    }

    private static Queue<User> Batch() =>
        new([new User { Id = 1, Email = "a@example.com" }, new User { Id = 2, Email = "b@example.com" }, new User { Id = 3, Email = "c@example.com" }]);

    /// <summary>
    /// The hook: once the first document is handed over, another writer commits key 3 and deletes it again, so the
    /// insert of key 3 that follows in the caller's transaction conflicts at its commit (first committer wins) while
    /// a retry finds the key free. Run on another thread and joined: no timing involved.
    /// </summary>
    private void ConflictOnKey3()
    {
        var other = new Thread(() =>
        {
            _users.Insert(new User { Id = 3, Email = "other@example.com" });
            _users.Delete(3);
        });
        other.Start();
        other.Join();
    }

    /// <summary>A sequence that can be read once, as a drained queue or channel is: it dequeues what it yields.</summary>
    private static IEnumerable<User> Drain(Queue<User> queue, Action afterFirst)
    {
        var fired = false;
        while (queue.TryDequeue(out var user))
        {
            yield return user;
            if (!fired)
            {
                fired = true;
                afterFirst();
            }
        }
    }
}
