using Microsoft.CodeAnalysis.CodeFixes;
using Persistence.Analyzers.CodeFixes;
using Persistence.Analyzers.Tests.Infrastructure;

namespace Persistence.Analyzers.Tests.CodeFixes;

public sealed class MakeKeyInitOnlyCodeFixTests
{
    [Fact]
    public Task The_setter_becomes_init() =>
        CodeFixHarness.VerifyAsync(new MakeKeyInitOnlyCodeFix(), "PST0008",
            ["""[Collection("c")] public partial class T { [PrimaryKey] public required string Id { get; set; } }"""],
            ["""[Collection("c")] public partial class T { [PrimaryKey] public required string Id { get; init; } }"""]);

    [Fact]
    public Task Fix_all_in_the_document_fixes_every_key_member() =>
        CodeFixHarness.VerifyAsync(new MakeKeyInitOnlyCodeFix(), "PST0008",
            ["""
            [Collection("c")]
            public partial class T
            {
                [PrimaryKey(Order = 0)] public int A { get; set; }
                [PrimaryKey(Order = 1)] public int B
                {
                    get;
                    set;
                }
            }
            """],
            ["""
            [Collection("c")]
            public partial class T
            {
                [PrimaryKey(Order = 0)] public int A { get; init; }
                [PrimaryKey(Order = 1)] public int B
                {
                    get;
                    init;
                }
            }
            """],
            FixAllScope.Document);

    [Fact]
    public async Task No_fix_for_a_field() =>
        Assert.Empty(await CodeFixHarness.ActionsAsync(new MakeKeyInitOnlyCodeFix(), "PST0008",
            """[Collection("c")] public partial class T { [PrimaryKey] public int Id; }"""));
}
