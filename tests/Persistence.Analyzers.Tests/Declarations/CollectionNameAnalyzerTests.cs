using Persistence.Analyzers.Tests.Infrastructure;

namespace Persistence.Analyzers.Tests.Declarations;

public sealed class CollectionNameAnalyzerTests
{
    [Fact]
    public Task Two_types_with_one_name_are_both_reported() =>
        AnalyzerHarness.VerifyAsync(
            [
                """[[|Collection("users")|]] public partial class A { [PrimaryKey] public int Id { get; init; } }""",
                """namespace Other { [[|Collection("users")|]] public partial class B { [PrimaryKey] public int Id { get; init; } } }""",
            ],
            DiagnosticDescriptors.DuplicateCollectionNameId);

    [Fact]
    public Task Three_types_with_one_name_are_all_reported_and_others_are_not() =>
        AnalyzerHarness.VerifyAsync(
            """
            [[|Collection("x")|]] public partial class A { [PrimaryKey] public int Id { get; init; } }
            [[|Collection("x")|]] public partial class B { [PrimaryKey] public int Id { get; init; } }
            [[|Collection("x")|]] public partial class C { [PrimaryKey] public int Id { get; init; } }
            [Collection("y")] public partial class D { [PrimaryKey] public int Id { get; init; } }
            """,
            DiagnosticDescriptors.DuplicateCollectionNameId);

    [Fact]
    public Task Names_that_differ_only_in_case_are_different_keyspaces() =>
        AnalyzerHarness.VerifyAsync(
            """
            [Collection("users")] public partial class A { [PrimaryKey] public int Id { get; init; } }
            [Collection("Users")] public partial class B { [PrimaryKey] public int Id { get; init; } }
            """);

    [Fact]
    public async Task The_message_names_the_other_type()
    {
        var compilation = AnalyzerHarness.Compile(
        [
            """[Collection("users")] public partial class A { [PrimaryKey] public int Id { get; init; } }""",
            """[Collection("users")] public partial class B { [PrimaryKey] public int Id { get; init; } }""",
        ]);
        var messages = (await AnalyzerHarness.DiagnosticsAsync(compilation)).Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(
            [
                "Collection name 'users' is also used by 'B': two document types would share one keyspace and read each other's documents",
                "Collection name 'users' is also used by 'A': two document types would share one keyspace and read each other's documents",
            ],
            messages);
    }
}
