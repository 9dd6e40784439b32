using Persistence.Analyzers.Tests.Infrastructure;

namespace Persistence.Analyzers.Tests.Queries;

public sealed class FullScanQueryAnalyzerTests
{
    private const string Id = DiagnosticDescriptors.FullScanQueryId;

    [Fact]
    public Task Filters_on_members_that_lead_no_index() =>
        AnalyzerHarness.VerifyAsync(Documents.With("""
                public void Run()
                {
                    GC.KeepAlive(users.Query().Where(u => [|u.Name.Is("x")|]).ToList());
                    GC.KeepAlive(users.Query().Where(u => [|u.Name.Is("x")|] & u.Score.AtLeast(3)).Count());
                    GC.KeepAlive(users.Query().Where(u => u.Age.Is(3) | [|u.Name.StartsWith("x")|]).First());
                    GC.KeepAlive(users.Query().Where(u => [|u.Score.Between(1, 2)|]).Where(u => u.Name.In("a", "b")).Take(3).ToList());
                    foreach (var user in users.Query().Where(u => [|u.Score.GreaterThan(1)|].Or(u.Name.Is("y"))))
                    {
                        GC.KeepAlive(user);
                    }
                }
            """), Id);

    [Fact]
    public Task Negations_never_use_an_index() =>
        AnalyzerHarness.VerifyAsync(Documents.With("""
                public void Run()
                {
                    GC.KeepAlive(users.Query().Where(u => [|u.Age.IsNot(3)|]).ToList());
                    GC.KeepAlive(users.Query().Where(u => [|!u.Age.Is(3)|]).ToList());
                    GC.KeepAlive(users.Query().Where(u => [|u.Name.Is("x")|] & !u.Score.Is(3)).ToList());
                }
            """), Id);

    [Fact]
    public Task Ordering_by_a_member_that_leads_no_index_without_a_filter() =>
        AnalyzerHarness.VerifyAsync(Documents.With("""
                public List<User> Run()
                {
                    var query = users.Query().OrderByDescending(u => [|u.Name|]).Take(10);
                    return query.ToList();
                }
            """), Id);

    [Fact]
    public async Task The_message_names_the_members_that_need_an_index()
    {
        var compilation = AnalyzerHarness.WithGeneratedCode(AnalyzerHarness.Compile(Documents.With("""
                public object Run() => users.Query().Where(u => u.Name.Is("x") & u.Score.AtLeast(3)).ToList();
            """)));
        var diagnostic = Assert.Single(await AnalyzerHarness.DiagnosticsAsync(compilation));
        Assert.Equal(
            "This query on 'User' reads every document: no index leads 'Name', 'Score', so mark one of them [Index]",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public Task Near_misses_are_not_reported() =>
        AnalyzerHarness.VerifyAsync(Documents.With("""
                public void Indexed(Persistence.Query.Condition<User> condition)
                {
                    GC.KeepAlive(users.Query().Where(u => u.Age.Is(3)).ToList());
                    GC.KeepAlive(users.Query().Where(u => u.Id.AtLeast(10)).ToList());
                    GC.KeepAlive(users.Query().Where(u => u.City.Is("Oslo")).ToList());
                    GC.KeepAlive(users.Query().Where(u => u.Email.StartsWith("a")).ToList());
                    GC.KeepAlive(users.Query().Where(u => u.Name.Is("x") & u.Age.Is(3)).ToList());
                    GC.KeepAlive(users.Query().Where(u => u.Name.Is("x")).Where(u => u.Age.Is(3)).ToList());
                    GC.KeepAlive(users.Query().Where(u => u.Age.Is(3) | u.Id.Is(1)).ToList());
                    GC.KeepAlive(users.Query().OrderBy(u => u.Age).ToList());
                    GC.KeepAlive(users.Query().Where(u => u.Age.Is(3)).OrderBy(u => u.Name).ToList());
                    GC.KeepAlive(users.Query().ToList());
                    GC.KeepAlive(users.Query().Where(condition).ToList());
                    GC.KeepAlive(users.Query().Where(u => u.Name.Is("x") & condition).ToList());
                }

                public Persistence.Query.Query<User, long, UserFields> Returned() => users.Query().Where(u => u.Name.Is("x"));

                public List<User> ExtendedLater()
                {
                    var query = users.Query().Where(u => u.Name.Is("x"));
                    query = query.Where(u => u.Age.Is(3));
                    return query.ToList();
                }
            """));
}
