using Persistence.Analyzers.Tests.Infrastructure;

namespace Persistence.Analyzers.Tests.Transactions;

public sealed class WriteThroughReadTransactionAnalyzerTests
{
    private const string Id = DiagnosticDescriptors.WriteThroughReadTransactionId;

    [Fact]
    public Task A_cast_of_a_local_holding_a_read_transaction() =>
        AnalyzerHarness.VerifyAsync(Documents.With("""
                public void Run()
                {
                    using Transaction t = db.BeginRead();
                    var w = [|(WriteTransaction)t|];
                    users.Insert(new User(), w);
                }
            """), Id);

    [Fact]
    public Task As_on_a_read_transaction_passes_null_to_the_write() =>
        AnalyzerHarness.VerifyAsync(Documents.With("""
                public async Task Run()
                {
                    using Transaction t = await db.BeginReadAsync();
                    users.Insert(new User(), [|t as WriteTransaction|]);
                }
            """), Id);

    [Fact]
    public Task A_cast_through_object_or_another_local() =>
        AnalyzerHarness.VerifyAsync(Documents.With("""
                public void Run()
                {
                    using var read = db.BeginRead();
                    var w = [|(WriteTransaction)(object)read|];
                    Transaction t = read;
                    Transaction u = t;
                    var v = [|(WriteTransaction)u|];
                    GC.KeepAlive(w);
                    GC.KeepAlive(v);
                }
            """), Id);

    [Fact]
    public Task Delete_on_a_query_started_with_a_read_transaction() =>
        AnalyzerHarness.VerifyAsync(Documents.With("""
                public int Run()
                {
                    using var read = db.BeginRead();
                    var query = users.Query(read).Where(u => u.Age.Is(3));
                    return [|query.Delete()|];
                }

                public async Task<int> RunAsync()
                {
                    using var read = db.BeginRead();
                    return await [|users.Query(read).Where(u => u.Age.Is(3)).DeleteAsync()|];
                }
            """), Id);

    [Fact]
    public Task Near_misses_are_not_reported() =>
        AnalyzerHarness.VerifyAsync(Documents.With("""
                public WriteTransaction? FromParameter(Transaction t) => (WriteTransaction)t;

                public void WriteTransactionAsTransaction()
                {
                    using Transaction t = db.BeginWrite();
                    users.Insert(new User(), (WriteTransaction)t);
                }

                public void EitherKind(bool write)
                {
                    using Transaction t = write ? db.BeginWrite() : db.BeginRead();
                    users.Insert(new User(), t as WriteTransaction);
                }

                public void Reassigned(bool write)
                {
                    Transaction t = db.BeginRead();
                    if (write)
                    {
                        t = db.BeginWrite();
                    }

                    users.Insert(new User(), (WriteTransaction)t);
                    t.Dispose();
                }

                public bool TypeTest(Transaction t) => t is WriteTransaction;

                public int DeleteInAWriteTransaction()
                {
                    using var read = db.BeginRead();
                    using var write = db.BeginWrite();
                    var deleted = users.Query(read).Where(u => u.Age.Is(3)).Delete(write) + users.Query(write).Where(u => u.Age.Is(4)).Delete();
                    write.Commit();
                    return deleted;
                }
            """));
}
