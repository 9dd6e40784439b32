namespace Persistence.Tests.Collections;

public sealed class CollectionTests : IDisposable
{
    private readonly Database _db = Database.OpenInMemory();
    private readonly UserCollection _users;

    public CollectionTests() => _users = new UserCollection(_db);

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Documents_round_trip_through_insert_get_update_and_delete()
    {
        var ada = new User { Id = 1, Email = "ada@example.com", Age = 36, Name = "Ada", Tags = ["math", "engines"] };
        _users.Insert(ada);
        var loaded = _users.Get(1)!;
        Assert.Equal(("ada@example.com", 36, "Ada"), (loaded.Email, loaded.Age, loaded.Name));
        Assert.Equal(["math", "engines"], loaded.Tags);
        Assert.True(_users.TryGet(1, out _));
        Assert.False(_users.TryGet(2, out _));

        loaded.Age = 37;
        _users.Update(loaded);
        Assert.Equal(37, _users.Get(1)!.Age);
        Assert.False(_users.Upsert(loaded.with_age(38)));
        Assert.True(_users.Upsert(new User { Id = 2, Email = "grace@example.com", Age = 45 }));
        Assert.Equal(2, _users.Count());
        Assert.Equal([1L, 2L], _users.All().Select(u => u.Id));

        Assert.True(_users.Delete(1));
        Assert.False(_users.Delete(1));
        Assert.Null(_users.Get(1));
        Assert.Null(_users.ByEmail.Get("ada@example.com"));
        Assert.Empty(_users.ByAge.Find(38));
        TestDatabases.AssertConsistent(_db);
    }

    [Fact]
    public void Typed_errors_leave_the_transaction_usable()
    {
        _users.Insert(new User { Id = 1, Email = "taken@example.com", Age = 30 });
        using var tx = _db.BeginWrite();
        var duplicate = Assert.Throws<DocumentException>(() => _users.Insert(new User { Id = 1, Email = "other@example.com" }, tx));
        Assert.Equal(ErrorCode.DuplicateKey, duplicate.Code);
        var missing = Assert.Throws<DocumentException>(() => _users.Update(new User { Id = 9, Email = "x@example.com" }, tx));
        Assert.Equal(ErrorCode.DocumentNotFound, missing.Code);
        var unique = Assert.Throws<UniqueConstraintException>(() => _users.Insert(new User { Id = 2, Email = "taken@example.com" }, tx));
        Assert.Equal(("users", "Email", ErrorCode.UniqueConstraintViolation), (unique.Collection, unique.Index, unique.Code));
        Assert.Null(_users.Get(2, tx)); // the failed insert wrote nothing

        _users.Insert(new User { Id = 2, Email = "free@example.com", Age = 20 }, tx);
        tx.Commit();
        Assert.Equal(2, _users.ByEmail.Get("free@example.com")!.Id);
        Assert.Equal(2, _users.Count());
        TestDatabases.AssertConsistent(_db);
    }

    [Fact]
    public void Changing_an_indexed_value_moves_only_that_entry_and_keeps_uniqueness_per_document()
    {
        _users.Insert(new User { Id = 1, Email = "a@example.com", Age = 30 });
        _users.Insert(new User { Id = 2, Email = "b@example.com", Age = 30 });
        _users.Update(new User { Id = 1, Email = "a@example.com", Age = 31 }); // same email: not a violation of itself
        Assert.Equal([2L], _users.ByAge.Find(30).Select(u => u.Id));
        Assert.Equal([1L], _users.ByAge.Find(31).Select(u => u.Id));
        _users.Update(new User { Id = 1, Email = "c@example.com", Age = 31 });
        Assert.Null(_users.ByEmail.Get("a@example.com"));
        Assert.Equal(1, _users.ByEmail.Get("c@example.com")!.Id);
        Assert.Throws<UniqueConstraintException>(() => _users.Update(new User { Id = 1, Email = "b@example.com", Age = 31 }));
        Assert.Equal(1, _users.ByEmail.Get("c@example.com")!.Id);
        Assert.Equal(2, _users.ByAge.Count(30) + _users.ByAge.Count(31));
    }

    [Fact]
    public async Task Async_forms_commit_and_read()
    {
        await _users.InsertAsync(new User { Id = 5, Email = "async@example.com", Age = 50 });
        await _users.InsertManyAsync([new User { Id = 6, Email = "six@example.com" }, new User { Id = 7, Email = "seven@example.com" }]);
        Assert.True(await _users.UpsertAsync(new User { Id = 8, Email = "eight@example.com" }));
        await _users.UpdateAsync(new User { Id = 5, Email = "async@example.com", Age = 51 });
        Assert.Equal(51, (await _users.GetAsync(5))!.Age);
        Assert.True(await _users.DeleteAsync(8));
        var ids = new List<long>();
        await foreach (var user in _users.AllAsync())
        {
            ids.Add(user.Id);
        }

        Assert.Equal([5L, 6L, 7L], ids);
    }

    [Fact]
    public void Bulk_insert_is_all_or_nothing()
    {
        var batch = Enumerable.Range(1, 100).Select(i => new User { Id = i, Email = $"u{i}@example.com", Age = i % 50 }).ToList();
        batch.Add(new User { Id = 1000, Email = "u7@example.com" }); // duplicate email at the end
        Assert.Throws<UniqueConstraintException>(() => _users.InsertMany(batch));
        Assert.Equal(0, _users.Count());
        batch.RemoveAt(batch.Count - 1);
        _users.InsertMany(batch);
        Assert.Equal(100, _users.Count());
        TestDatabases.AssertConsistent(_db);
    }

    [Fact]
    public void A_failing_bulk_insert_in_the_callers_transaction_keeps_the_documents_before_the_failure_whole()
    {
        var batch = Enumerable.Range(1, 100).Select(i => new User { Id = i, Email = $"u{i}@example.com", Age = i % 50 }).ToList();
        batch.Add(new User { Id = 1000, Email = "u7@example.com" });
        using (var tx = _db.BeginWrite())
        {
            Assert.Throws<UniqueConstraintException>(() => _users.InsertMany(batch, tx));
            Assert.Equal(100, _users.Count(tx));
            Assert.Equal(100, tx.Count(tx.GetKeyspace("users#Email")));
            Assert.Equal(100, tx.Count(tx.GetKeyspace("users#Age")));
            tx.Rollback();
        }

        Assert.Equal(0, _users.Count());
        TestDatabases.AssertConsistent(_db);
    }
}

internal static class UserExtensions
{
    public static User with_age(this User user, int age) => new() { Id = user.Id, Email = user.Email, Age = age, Name = user.Name, Tags = user.Tags };
}
