namespace Persistence.Tests.Collections;

/// <summary>
/// <c>InsertMany</c> without a transaction reads the caller's sequence once. A collection is written in a write that is
/// retried after a write conflict (a lazy collection copied first); a lazy sequence, which cannot be read again (a queue
/// being drained, a channel), is written in one attempt, and a conflict is thrown with nothing written, not committed
/// empty or in part by a retry that read the sequence again.
/// </summary>
public sealed class InsertManyReadOnceTests : IDisposable
{
    private readonly Database _db = Database.OpenInMemory();
    private readonly UserCollection _users;

    public InsertManyReadOnceTests() => _users = new UserCollection(_db);

    public void Dispose() => _db.Dispose();

    [Fact]
    public void InsertMany_of_a_one_shot_sequence_that_loses_a_write_conflict_throws_it_with_nothing_written()
    {
        var queue = Batch();
        var reads = 0;
        var error = Record.Exception(() => _users.InsertMany(Counted(Drain(queue, ConflictOnKey3), () => reads++)));

        Assert.IsType<WriteConflictException>(error);
        Assert.Equal(1, reads);
        Assert.Empty(_users.All());
    }

    [Fact]
    public async Task InsertManyAsync_of_a_one_shot_sequence_that_loses_a_write_conflict_throws_it_with_nothing_written()
    {
        var queue = Batch();
        var reads = 0;
        var error = await Record.ExceptionAsync(() => _users.InsertManyAsync(Counted(Drain(queue, ConflictOnKey3), () => reads++)));

        Assert.IsType<WriteConflictException>(error);
        Assert.Equal(1, reads);
        Assert.Empty(_users.All());
    }

    [Fact]
    public void InsertMany_of_a_one_shot_sequence_without_a_conflict_writes_it_whole()
    {
        var queue = Batch();
        _users.InsertMany(Drain(queue, afterFirst: () => { }));

        Assert.Equal([1L, 2L, 3L], _users.All().Select(u => u.Id));
    }

    [Fact]
    public void InsertMany_of_a_list_that_loses_a_write_conflict_is_retried_and_written_whole()
    {
        var fired = false;
        var list = new HookedList([.. Batch()], afterFirst: () =>
        {
            if (!fired)
            {
                fired = true;
                ConflictOnKey3();
            }
        });
        _users.InsertMany(list);

        Assert.Equal(2, list.Enumerations); // the retry read the list again
        Assert.Equal([1L, 2L, 3L], _users.All().Select(u => u.Id));
    }

    [Fact]
    public void InsertMany_of_a_lazy_collection_enumerates_it_once_after_a_conflict()
    {
        var fired = false;
        var lazy = new LazyCollection(300, afterFirst: () =>
        {
            if (!fired)
            {
                fired = true;
                ConflictOnKey3();
            }
        });
        _users.InsertMany(lazy);

        Assert.Equal(1, lazy.Enumerations);
        Assert.Equal(300, _users.Count());
    }

    [Fact]
    public void InsertMany_of_a_sequence_that_refills_one_object_throws_the_conflict_and_writes_nothing()
    {
        var refilled = new User { Id = 0, Email = "x@example.com" };
        var error = Record.Exception(() => _users.InsertMany(Refill(refilled, count: 3, afterFirst: ConflictOnKey3)));

        // Not written again from the one object, which holds the last document only.
        Assert.IsType<WriteConflictException>(error);
        Assert.Empty(_users.All());
    }

    [Fact]
    public void InsertMany_of_a_sequence_whose_own_write_conflicts_writes_nothing_and_throws_it()
    {
        var conflict = new WriteConflictException("The dequeue committed by the sequence lost a write conflict.", "queue");
        var error = Record.Exception(() => _users.InsertMany(ConflictsOnceAfterTwo(conflict)));

        // Not retried and committed with the documents read before the sequence threw, as if it had ended there.
        Assert.Same(conflict, error);
        Assert.Empty(_users.All());
    }

    [Fact]
    public async Task InsertManyAsync_of_a_sequence_whose_own_write_conflicts_writes_nothing_and_throws_it()
    {
        var conflict = new WriteConflictException("The dequeue committed by the sequence lost a write conflict.", "queue");
        var error = await Record.ExceptionAsync(() => _users.InsertManyAsync(ConflictsOnceAfterTwo(conflict)));

        Assert.Same(conflict, error);
        Assert.Empty(_users.All());
    }

    [Fact]
    public async Task InsertManyAsync_reports_a_collection_that_throws_as_it_is_copied_in_its_task()
    {
        var failure = new InvalidOperationException("The file under the view is gone.");
        var throwing = new LazyCollection(3, afterFirst: () => throw failure);

        var task = _users.InsertManyAsync(throwing); // not thrown here: an async method's failures come in its task

        Assert.Same(failure, await Assert.ThrowsAsync<InvalidOperationException>(() => task));
        Assert.Empty(_users.All());
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

    private static IEnumerable<User> Counted(IEnumerable<User> documents, Action onEnumerate)
    {
        onEnumerate();
        foreach (var document in documents)
        {
            yield return document;
        }
    }

    /// <summary>One object, refilled with the next document before it is handed over again.</summary>
    private static IEnumerable<User> Refill(User user, int count, Action afterFirst)
    {
        for (var i = 1; i <= count; i++)
        {
            typeof(User).GetProperty(nameof(User.Id))!.SetValue(user, (long)i); // as a pooling reader refills it
            user.Email = $"{i}@example.com";
            yield return user;
            if (i == 1)
            {
                afterFirst();
            }
        }
    }

    /// <summary>A list that runs a hook after handing over its first document, counting its enumerations.</summary>
    private sealed class HookedList(List<User> users, Action afterFirst) : List<User>(users), IEnumerable<User>
    {
        public int Enumerations { get; private set; }

        IEnumerator<User> IEnumerable<User>.GetEnumerator()
        {
            Enumerations++;
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
                if (i == 0)
                {
                    afterFirst();
                }
            }
        }
    }

    /// <summary>A collection whose documents are made as it is enumerated (as a view over a file would be), counting its enumerations.</summary>
    private sealed class LazyCollection(int count, Action afterFirst) : IReadOnlyCollection<User>
    {
        public int Count => count;

        public int Enumerations { get; private set; }

        public IEnumerator<User> GetEnumerator()
        {
            Enumerations++;
            for (var i = 1; i <= count; i++)
            {
                yield return new User { Id = i, Email = $"{i}@example.com" };
                if (i == 1)
                {
                    afterFirst();
                }
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// A sequence that commits a write of its own for each document (as one draining a queue stored in the database
    /// does), the third of which loses a write conflict the first time: it throws out of the caller's write, which
    /// runs its work again after a conflict. An iterator that threw is over: read again, it ends at once.
    /// </summary>
    private static IEnumerable<User> ConflictsOnceAfterTwo(WriteConflictException conflict)
    {
        var thrown = false;
        for (var i = 1; i <= 3; i++)
        {
            if (i == 3 && !thrown)
            {
                thrown = true;
                throw conflict;
            }

            yield return new User { Id = i, Email = $"{i}@example.com" };
        }
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
