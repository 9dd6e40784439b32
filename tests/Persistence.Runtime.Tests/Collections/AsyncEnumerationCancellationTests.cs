namespace Persistence.Tests.Collections;

/// <summary>
/// The README (Guarantees, typed errors) promises that a cancelled <see cref="CancellationToken"/> throws
/// <see cref="OperationCanceledException"/>, and every other async method of a collection reports a cancellation
/// before its start. The async enumerations (a collection's <c>AllAsync</c>, a query's <c>AsAsyncEnumerable</c>)
/// check the token before each read, the first included, so a cancelled enumeration with no document left is
/// cancelled too rather than completed.
/// </summary>
public sealed class AsyncEnumerationCancellationTests : IDisposable
{
    private readonly Database _db = Database.OpenInMemory();
    private readonly UserCollection _users;

    public AsyncEnumerationCancellationTests() => _users = new UserCollection(_db);

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

    [Fact]
    public async Task AllAsync_cancelled_while_the_last_document_is_handled_throws_before_it_reads_on()
    {
        _users.Insert(new User { Id = 1, Email = "a@example.com" });
        using var cancellation = new CancellationTokenSource();
        var seen = new List<long>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var user in _users.AllAsync(cancellationToken: cancellation.Token))
            {
                seen.Add(user.Id);
                await cancellation.CancelAsync(); // the caller gives up while handling the only document
            }
        });

        Assert.Equal([1L], seen);
    }

    [Fact]
    public async Task A_query_streamed_with_a_cancelled_token_throws_also_when_nothing_matches()
    {
        _users.Insert(new User { Id = 1, Email = "a@example.com" });
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var user in _users.Query().Where(u => u.Email.Is("nobody@example.com")).AsAsyncEnumerable(cancelled.Token))
            {
                Assert.Fail($"No document matches, yet {user.Id} was handed out.");
            }
        });
    }
}
