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
}
