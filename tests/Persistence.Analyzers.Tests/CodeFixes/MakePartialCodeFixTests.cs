using Microsoft.CodeAnalysis.CodeFixes;
using Persistence.Analyzers.CodeFixes;
using Persistence.Analyzers.Tests.Infrastructure;

namespace Persistence.Analyzers.Tests.CodeFixes;

public sealed class MakePartialCodeFixTests
{
    [Fact]
    public Task The_type_and_every_containing_type_become_partial() =>
        CodeFixHarness.VerifyAsync(new MakePartialCodeFix(), "PST0001",
            ["""
            namespace App;

            public class Outer
            {
                internal sealed class Middle
                {
                    [Collection("c")]
                    public class T { [PrimaryKey] public int Id { get; init; } }
                }
            }
            """],
            ["""
            namespace App;

            public partial class Outer
            {
                internal sealed partial class Middle
                {
                    [Collection("c")]
                    public partial class T { [PrimaryKey] public int Id { get; init; } }
                }
            }
            """]);

    [Fact]
    public Task A_containing_type_alone() =>
        CodeFixHarness.VerifyAsync(new MakePartialCodeFix(), "PST0002",
            ["""class Outer { [Collection("c")] public partial record T { [PrimaryKey] public int Id { get; init; } } }"""],
            ["""partial class Outer { [Collection("c")] public partial record T { [PrimaryKey] public int Id { get; init; } } }"""]);

    [Fact]
    public Task Fix_all_in_the_project() =>
        CodeFixHarness.VerifyAsync(new MakePartialCodeFix(), "PST0001",
            [
                """[Collection("a")] public class A { [PrimaryKey] public int Id { get; init; } }""",
                """[Collection("b")] public class B { [PrimaryKey] public int Id { get; init; } } [Embedded] public sealed class E { public int X { get; set; } }""",
            ],
            [
                """[Collection("a")] public partial class A { [PrimaryKey] public int Id { get; init; } }""",
                """[Collection("b")] public partial class B { [PrimaryKey] public int Id { get; init; } } [Embedded] public sealed partial class E { public int X { get; set; } }""",
            ],
            FixAllScope.Project);

    [Fact]
    public Task Fix_all_makes_a_shared_containing_type_partial_once() =>
        CodeFixHarness.VerifyAsync(new MakePartialCodeFix(), "PST0002",
            ["""
            public class Outer
            {
                [Collection("a")] public class A { [PrimaryKey] public int Id { get; init; } }
                [Collection("b")] public class B { [PrimaryKey] public int Id { get; init; } }
            }
            """],
            ["""
            public partial class Outer
            {
                [Collection("a")] public partial class A { [PrimaryKey] public int Id { get; init; } }
                [Collection("b")] public partial class B { [PrimaryKey] public int Id { get; init; } }
            }
            """],
            FixAllScope.Document);
}
