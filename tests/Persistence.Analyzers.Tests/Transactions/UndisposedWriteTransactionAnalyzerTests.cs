using Persistence.Analyzers.Tests.Infrastructure;

namespace Persistence.Analyzers.Tests.Transactions;

public sealed class UndisposedWriteTransactionAnalyzerTests
{
    private const string Id = DiagnosticDescriptors.UndisposedWriteTransactionId;

    [Fact]
    public Task Committed_but_never_disposed() =>
        AnalyzerHarness.VerifyAsync(Documents.With("""
                public void Run(User user)
                {
                    var tx = [|db.BeginWrite()|];
                    users.Insert(user, tx);
                    tx.Commit();
                }

                public async Task RunAsync(User user)
                {
                    var tx = await [|db.BeginWriteAsync()|].ConfigureAwait(false);
                    await users.InsertAsync(user, tx);
                    await tx.CommitAsync();
                }
            """), Id);

    [Fact]
    public Task Discarded_or_only_passed_to_Persistence() =>
        AnalyzerHarness.VerifyAsync(Documents.With("""
                public void Run(User user)
                {
                    [|db.BeginWrite()|];
                    users.Insert(user, [|db.BeginWrite()|]);
                }
            """), Id);

    [Fact]
    public Task Disposed_on_some_paths_only() =>
        AnalyzerHarness.VerifyAsync(Documents.With("""
                public void Run(User user, bool commit)
                {
                    var tx = [|db.BeginWrite()|];
                    users.Insert(user, tx);
                    if (commit)
                    {
                        tx.Commit();
                        tx.Dispose();
                    }
                }
            """), Id);

    [Fact]
    public Task Near_misses_are_not_reported() =>
        AnalyzerHarness.VerifyAsync(Documents.With("""
                public void UsingDeclaration(User user)
                {
                    using var tx = db.BeginWrite();
                    users.Insert(user, tx);
                    tx.Commit();
                }

                public async Task UsingStatement(User user)
                {
                    using (var tx = await db.BeginWriteAsync())
                    {
                        users.Insert(user, tx);
                        await tx.CommitAsync();
                    }
                }

                public void TryFinally(User user)
                {
                    var tx = db.BeginWrite();
                    try
                    {
                        users.Insert(user, tx);
                        tx.Commit();
                    }
                    finally
                    {
                        tx.Dispose();
                    }
                }

                public void DisposedOnEveryPath(User user, bool commit)
                {
                    var tx = db.BeginWrite();
                    users.Insert(user, tx);
                    if (commit)
                    {
                        tx.Commit();
                    }

                    tx.Dispose();
                }

                public WriteTransaction Returned() => db.BeginWrite();

                public WriteTransaction ReturnedLocal()
                {
                    var tx = db.BeginWrite();
                    return tx;
                }

                public ValueTask<WriteTransaction> TaskReturned() => db.BeginWriteAsync();

                public void StoredInAField() => kept = db.BeginWrite();

                public void PassedToAnOwner()
                {
                    var tx = db.BeginWrite();
                    var owner = new List<IDisposable> { tx };
                    GC.KeepAlive(owner);
                }

                public Action Captured()
                {
                    var tx = db.BeginWrite();
                    return () => tx.Dispose();
                }

                public void DisposedConditionally()
                {
                    WriteTransaction? tx = db.BeginWrite();
                    tx?.Dispose();
                }

                public void WriteHelper(User user) => db.Write(w => users.Insert(user, w));
            """));
}
