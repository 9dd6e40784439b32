using Microsoft.Extensions.DependencyInjection;
using Persistence.Tests.Collections;

namespace Persistence.Tests.Docs;

/// <summary>
/// The README's "Typed errors": arguments that break a method's contract follow the .NET conventions instead of
/// throwing a <see cref="PersistenceException"/> (a null argument <see cref="ArgumentNullException"/>; an empty path,
/// service key or health-check name, or a null document in InsertMany's sequence, <see cref="ArgumentException"/>), and
/// a cancelled token throws <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class TypedErrorsDocsTests
{
    [Fact]
    public void Arguments_that_break_a_contract_throw_the_dotnet_argument_exceptions()
    {
        Assert.Throws<ArgumentNullException>(() => Database.Open(null!));
        Assert.IsType<ArgumentException>(Assert.ThrowsAny<ArgumentException>(() => Database.Open("")));
        Assert.IsType<ArgumentException>(Assert.ThrowsAny<ArgumentException>(() => Database.Salvage("", "copy.db")));

        var services = new ServiceCollection();
        Assert.IsType<ArgumentException>(Assert.ThrowsAny<ArgumentException>(() => services.AddHealthChecks().AddPersistence(name: "")));
        Assert.IsType<ArgumentException>(Assert.ThrowsAny<ArgumentException>(() => services.AddKeyedPersistence("")));

        using var db = Database.OpenInMemory();
        var users = new UserCollection(db);
        Assert.IsType<ArgumentException>(Assert.ThrowsAny<ArgumentException>(() => users.InsertMany([new User { Id = 1, Email = "a@example.com" }, null!])));
        Assert.Equal(0, users.Count()); // and nothing of the sequence was inserted
        Assert.Throws<ArgumentNullException>(() => users.Insert(null!));
    }

    [Fact]
    public async Task A_cancelled_token_throws_operation_cancelled()
    {
        using var db = Database.OpenInMemory();
        var users = new UserCollection(db);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => users.InsertAsync(new User { Id = 1, Email = "a@example.com" }, cancellationToken: cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.WriteAsync((_, _) => ValueTask.CompletedTask, cancellationToken: cancelled.Token));
        Assert.Equal(0, users.Count());
    }
}
