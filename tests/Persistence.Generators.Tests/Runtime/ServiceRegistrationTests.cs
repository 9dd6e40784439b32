using Microsoft.Extensions.DependencyInjection;
using Persistence.Collections;
using Persistence.Generators.Tests.Golden.Orders;
using Persistence.Generators.Tests.Golden.Users;
using Persistence.Testing;

namespace Persistence.Generators.Tests.Runtime;

/// <summary>
/// The AddPersistenceCollections() that the real compiler generated for this test assembly's collections registers
/// each one as itself and as its repository, bound to the container's database.
/// </summary>
public sealed class ServiceRegistrationTests
{
    [Fact]
    public void Generated_registration_resolves_collections_and_repositories()
    {
        using var directory = new TempDirectory();
        var services = new ServiceCollection()
            .AddPersistence(o => o.Path = directory.File())
            .AddPersistenceCollections();
        using var provider = services.BuildServiceProvider();

        var users = provider.GetRequiredService<UserCollection>();
        Assert.Same(users, provider.GetRequiredService<IRepository<User, long>>());
        Assert.Same(provider.GetRequiredService<Database>(), users.Database);
        Assert.Same(provider.GetRequiredService<OrderCollection>(), provider.GetRequiredService<IRepository<Order, OrderKey>>());

        users.Insert(new User { Id = 1, Email = "ada@example.com", Name = "Ada" });
        Assert.Equal("Ada", users.ByEmail.Get("ada@example.com")?.Name);
    }

    /// <summary>
    /// This assembly declares public collections, so the generator also gave it a public registration named after it,
    /// which another assembly (a host referencing this one as a class library) calls; it registers the same collections.
    /// </summary>
    [Fact]
    public void Generated_public_registration_registers_the_same_collections_for_other_assemblies()
    {
        Assert.True(typeof(PersistenceGeneratorsTestsCollectionsServiceCollectionExtensions).IsPublic);
        using var directory = new TempDirectory();
        var services = new ServiceCollection()
            .AddPersistence(o => o.Path = directory.File("main.db"))
            .AddKeyedPersistence("archive", o => o.Path = directory.File("archive.db"))
            .AddPersistenceGeneratorsTestsCollections()
            .AddKeyedPersistenceGeneratorsTestsCollections("archive");
        using var provider = services.BuildServiceProvider();

        var users = provider.GetRequiredService<UserCollection>();
        Assert.Same(users, provider.GetRequiredService<IRepository<User, long>>());
        Assert.Same(provider.GetRequiredService<Database>(), users.Database);
        Assert.Same(provider.GetRequiredService<OrderCollection>(), provider.GetRequiredService<IRepository<Order, OrderKey>>());
        Assert.Same(provider.GetRequiredKeyedService<Database>("archive"), provider.GetRequiredKeyedService<UserCollection>("archive").Database);
    }

    [Fact]
    public void Generated_keyed_registration_binds_the_collections_to_the_keyed_database()
    {
        using var directory = new TempDirectory();
        var services = new ServiceCollection()
            .AddPersistence(o => o.Path = directory.File("main.db"))
            .AddKeyedPersistence("archive", o => o.Path = directory.File("archive.db"))
            .AddPersistenceCollections()
            .AddKeyedPersistenceCollections("archive");
        using (var provider = services.BuildServiceProvider())
        {
            var archived = provider.GetRequiredKeyedService<UserCollection>("archive");
            Assert.Same(archived, provider.GetRequiredKeyedService<IRepository<User, long>>("archive"));
            Assert.Same(provider.GetRequiredKeyedService<Database>("archive"), archived.Database);
            Assert.Same(provider.GetRequiredKeyedService<OrderCollection>("archive"), provider.GetRequiredKeyedService<IRepository<Order, OrderKey>>("archive"));
            var users = provider.GetRequiredService<UserCollection>();
            Assert.NotSame(users, archived);

            archived.Insert(new User { Id = 1, Email = "ada@example.com", Name = "Ada" });
            users.Insert(new User { Id = 2, Email = "grace@example.com", Name = "Grace" });
            Assert.Equal("Ada", archived.ByEmail.Get("ada@example.com")?.Name);
            Assert.Null(users.ByEmail.Get("ada@example.com"));
        }

        using var reopened = Database.Open(directory.File("archive.db"));
        Assert.Equal([1L], new UserCollection(reopened).All().Select(u => u.Id));
    }
}
