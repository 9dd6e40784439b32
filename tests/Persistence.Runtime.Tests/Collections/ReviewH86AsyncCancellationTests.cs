namespace Persistence.Tests.Collections;

/// <summary>
/// Review h86: the README (Guarantees, typed errors) promises that a cancelled <see cref="CancellationToken"/> throws
/// <see cref="OperationCanceledException"/>, and every other async method of a collection reports a cancellation
/// before its start. <c>AllAsync</c> checks the token only after it has read a document (Collection.Async.cs), so
/// a cancelled enumeration of a collection (or range) with no document left completes normally.
/// </summary>
public sealed class ReviewH86AsyncCancellationTests : IDisposable
{
    private readonly Database _db = Database.OpenInMemory();
    private readonly UserCollection _users;

    public ReviewH86AsyncCancellationTests() => _users = new UserCollection(_db);

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task AllAsync_with_a_cancelled_token_throws_also_when_the_collection_is_empty()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        // The other reads report the cancellation before they start, whatever the collection holds.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await _users.CountAsync(cancellationToken: cancelled.Token));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var user in _users.AllAsync(cancellationToken: cancelled.Token))
            {
                Assert.Fail($"No document exists, yet {user.Id} was handed out.");
            }
        });
    }
}
