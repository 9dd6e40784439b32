using Microsoft.CodeAnalysis.CodeFixes;
using Persistence.Analyzers.CodeFixes;
using Persistence.Analyzers.Tests.Infrastructure;

namespace Persistence.Analyzers.Tests.CodeFixes;

public sealed class RenumberTagCodeFixTests
{
    [Fact]
    public Task A_duplicate_gets_one_past_the_largest_tag() =>
        CodeFixHarness.VerifyAsync(new RenumberTagCodeFix(), "PST0015",
            ["""[Collection("c")] public partial class T { [PrimaryKey] [Field(1)] public int Id { get; init; } [Field(1)] public int A { get; set; } [Field(5)] public int B { get; set; } }"""],
            ["""[Collection("c")] public partial class T { [PrimaryKey] [Field(1)] public int Id { get; init; } [Field(6)] public int A { get; set; } [Field(5)] public int B { get; set; } }"""]);

    [Fact]
    public Task A_tag_out_of_range_gets_the_next_free_tag() =>
        CodeFixHarness.VerifyAsync(new RenumberTagCodeFix(), "PST0016",
            ["""[Collection("c")] public partial class T { [PrimaryKey] [Field(0)] public int Id { get; init; } [Field(2)] public int A { get; set; } }"""],
            ["""[Collection("c")] public partial class T { [PrimaryKey] [Field(3)] public int Id { get; init; } [Field(2)] public int A { get; set; } }"""]);

    [Fact]
    public Task Fix_all_in_the_document_gives_every_member_its_own_tag() =>
        CodeFixHarness.VerifyAsync(new RenumberTagCodeFix(), "PST0015",
            ["""
            [Collection("c")]
            public partial class T
            {
                [PrimaryKey] [Field(1)] public int Id { get; init; }
                [Field(1)] public int A { get; set; }
                [Field(1)] public int B { get; set; }
                [Field(2)] public int C { get; set; }
                [Field(2)] public int D { get; set; }
            }
            """],
            ["""
            [Collection("c")]
            public partial class T
            {
                [PrimaryKey] [Field(1)] public int Id { get; init; }
                [Field(3)] public int A { get; set; }
                [Field(4)] public int B { get; set; }
                [Field(2)] public int C { get; set; }
                [Field(5)] public int D { get; set; }
            }
            """],
            FixAllScope.Document);

    [Fact]
    public Task Fix_all_in_the_project_never_hands_out_a_tag_twice_across_documents() =>
        CodeFixHarness.VerifyAsync(new RenumberTagCodeFix(), "PST0015",
            [
                """[Collection("c")] public partial class T { [PrimaryKey] [Field(1)] public int Id { get; init; } [Field(1)] public int A { get; set; } }""",
                """public partial class T { [Field(1)] public int B { get; set; } [Field(2)] public int C { get; set; } }""",
                """[Collection("d")] public partial class U { [PrimaryKey] [Field(7)] public int Id { get; init; } [Field(7)] public int A { get; set; } }""",
            ],
            [
                """[Collection("c")] public partial class T { [PrimaryKey] [Field(1)] public int Id { get; init; } [Field(3)] public int A { get; set; } }""",
                """public partial class T { [Field(4)] public int B { get; set; } [Field(2)] public int C { get; set; } }""",
                """[Collection("d")] public partial class U { [PrimaryKey] [Field(7)] public int Id { get; init; } [Field(8)] public int A { get; set; } }""",
            ],
            FixAllScope.Project);
}
