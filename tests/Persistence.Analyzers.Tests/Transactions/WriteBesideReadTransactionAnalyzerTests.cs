using Persistence.Analyzers.Tests.Infrastructure;

namespace Persistence.Analyzers.Tests.Transactions;

public sealed class WriteBesideReadTransactionAnalyzerTests
{
    private const string Id = DiagnosticDescriptors.WriteBesideReadTransactionId;

    [Fact]
    public Task Writes_without_a_transaction_in_the_scope_of_a_using_declaration() =>
        AnalyzerHarness.VerifyAsync(Documents.With("""
                public async Task Run(User user)
                {
                    using var read = db.BeginRead();
                    if (users.Get(1, read) is null)
                    {
                        [|users.Insert(user)|];
                    }

                    [|users.Upsert(user, null)|];
                    await [|users.DeleteAsync(1)|];
                    [|users.InsertMany([user])|];
                    [|users.Query().Where(u => u.Age.Is(3)).Delete()|];
                    await [|users.Query().Where(u => u.Age.Is(4)).DeleteAsync()|];
                }
            """), Id);

    [Fact]
    public Task Writes_without_a_transaction_in_a_using_statement() =>
        AnalyzerHarness.VerifyAsync(Documents.With("""
                public void Run(User user)
                {
                    using (var read = db.BeginRead())
                    {
                        [|users.Update(user)|];
                    }

                    users.Update(user);
                }
            """), Id);

    [Fact]
    public async Task The_message_names_the_write_and_the_transaction()
    {
        var compilation = AnalyzerHarness.WithGeneratedCode(AnalyzerHarness.Compile(Documents.With("""
                public void Run(User user)
                {
                    using var snapshot = db.BeginRead();
                    users.Insert(user);
                }
            """)));
        var diagnostic = Assert.Single(await AnalyzerHarness.DiagnosticsAsync(compilation));
        Assert.Equal(
            "'Insert' is called without a transaction while the read transaction 'snapshot' is open: it commits in a transaction of its own, which the snapshot of 'snapshot' does not see",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public Task Near_misses_are_not_reported() =>
        AnalyzerHarness.VerifyAsync(Documents.With("""
                public void WithAWriteTransaction(User user)
                {
                    using var read = db.BeginRead();
                    using var write = db.BeginWrite();
                    users.Insert(user, write);
                    users.Query(write).Where(u => u.Age.Is(3)).Delete();
                    write.Commit();
                }

                public void BeforeAndAfterTheScope(User user)
                {
                    users.Insert(user);
                    using (var read = db.BeginRead())
                    {
                        GC.KeepAlive(users.Get(1, read));
                    }

                    users.Delete(1);
                }

                public void InALambda(User user)
                {
                    using var read = db.BeginRead();
                    Action later = () => users.Insert(user);
                    db.Write(w => users.Upsert(user, w));
                    later();
                }

                public void ReadsAndWritesOutsideAnyReadTransaction(User user)
                {
                    using var write = db.BeginWrite();
                    users.Insert(user);
                    GC.KeepAlive(users.Get(1));
                    write.Commit();
                }
            """));
}
