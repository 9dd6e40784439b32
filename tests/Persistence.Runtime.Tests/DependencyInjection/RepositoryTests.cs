using Microsoft.Extensions.DependencyInjection;
using Persistence.Collections;
using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests.DependencyInjection;

/// <summary>IRepository from the container: each operation in its own transaction, or in the one passed.</summary>
public sealed class RepositoryTests : IDisposable
{
    private readonly ServiceProvider _provider;
    private readonly IRepository<User, long> _users;

    public RepositoryTests()
    {
        var services = new ServiceCollection()
            .AddTestInfrastructure(new SimulatedFileSystem())
            .AddPersistence(TestServices.Small)
            .AddPersistenceCollection<UserCollection, User, long>(static database => new UserCollection(database));
        _provider = services.BuildServiceProvider();
        _users = _provider.GetRequiredService<IRepository<User, long>>();
    }

    public void Dispose() => _provider.Dispose();

    [Fact]
    public void The_repository_is_the_registered_collection()
    {
        Assert.Same(_provider.GetRequiredService<UserCollection>(), _users);
        Assert.Equal("users", _users.Name);
        Assert.Same(_provider.GetRequiredService<Database>(), _users.Database);
    }

    [Fact]
    public async Task Without_a_transaction_each_operation_commits_on_its_own()
    {
        _users.Insert(User(1, 36));
        await _users.InsertAsync(User(2, 45));
        _users.InsertMany([User(3, 28), User(4, 60)]);
        Assert.True(_users.Upsert(User(5, 30)));
        _users.Update(User(1, 37));
        Assert.True(await _users.DeleteAsync(4));

        Assert.Equal(4, _users.Count());
        Assert.Equal(37, _users.Get(1)!.Age);
        Assert.True(_users.TryGet(2, out var grace) && grace.Age == 45);
        Assert.False(_users.Contains(4));
        Assert.Equal([1L, 2, 3, 5], _users.All().Select(u => u.Id));
        Assert.Equal([2L, 3], _users.Range(2, 5).Select(u => u.Id));
        Assert.Equal([1L, 2, 5], _users.Find(UserCollection.Fields.Age.AtLeast(30)).Select(u => u.Id).Order());
        Assert.Equal(5, (await _users.GetAsync(5))!.Id);
        Assert.True(await _users.ContainsAsync(5));
        Assert.False(await _users.ContainsAsync(4));
        Assert.Equal(4, await _users.CountAsync());
        Assert.Equal(4, await CountAsync(_users.AllAsync()));
    }

    [Fact]
    public void Writes_in_an_explicit_transaction_are_visible_only_after_commit()
    {
        using (var tx = _users.Database.BeginWrite())
        {
            _users.Insert(User(1, 36), tx);
            _users.Insert(User(2, 45), tx);
            Assert.Equal(2, _users.Count(tx)); // the transaction sees its own writes
            Assert.Equal(45, _users.Get(2, tx)!.Age);
            Assert.Equal(0, _users.Count()); // nobody else does yet
            tx.Commit();
        }

        Assert.Equal(2, _users.Count());
        Assert.Equal([1L, 2], _users.All().Select(u => u.Id));
    }

    [Fact]
    public void A_transaction_disposed_without_commit_rolls_back()
    {
        _users.Insert(User(1, 36));
        using (var tx = _users.Database.BeginWrite())
        {
            _users.Insert(User(2, 45), tx);
            _users.Delete(1, tx);
            Assert.False(_users.Contains(1, tx));
        }

        Assert.True(_users.Contains(1));
        Assert.False(_users.Contains(2));
        Assert.Equal(1, _users.Count());
    }

    [Fact]
    public void Reads_in_a_snapshot_do_not_see_later_commits()
    {
        _users.Insert(User(1, 36));
        using var snapshot = _users.Database.BeginRead();
        _users.Insert(User(2, 45));
        Assert.Equal(1, _users.Count(snapshot));
        Assert.Empty(_users.Find(UserCollection.Fields.Age.Is(45), snapshot));
        Assert.Single(_users.Find(UserCollection.Fields.Age.Is(45)));
    }

    private static User User(long id, int age) => new() { Id = id, Email = $"user{id}@example.com", Age = age, Name = "User " + id };

    private static async Task<int> CountAsync(IAsyncEnumerable<User> users)
    {
        var count = 0;
        await foreach (var _ in users)
        {
            count++;
        }

        return count;
    }
}
