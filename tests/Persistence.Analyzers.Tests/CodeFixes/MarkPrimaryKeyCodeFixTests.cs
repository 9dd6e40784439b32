using Persistence.Analyzers.CodeFixes;
using Persistence.Analyzers.Tests.Infrastructure;

namespace Persistence.Analyzers.Tests.CodeFixes;

public sealed class MarkPrimaryKeyCodeFixTests
{
    [Fact]
    public Task The_member_named_Id_becomes_the_primary_key() =>
        CodeFixHarness.VerifyAsync(new MarkPrimaryKeyCodeFix(), "PST0005",
            ["""
            [Collection("c")]
            public partial class T
            {
                public string Name { get; set; } = "";

                /// <summary>The key.</summary>
                public int Id { get; init; }
            }
            """],
            ["""
            [Collection("c")]
            public partial class T
            {
                public string Name { get; set; } = "";

                /// <summary>The key.</summary>
                [PrimaryKey]
                public int Id { get; init; }
            }
            """]);

    [Fact]
    public Task Other_attributes_stay() =>
        CodeFixHarness.VerifyAsync(new MarkPrimaryKeyCodeFix(), "PST0005",
            ["""
            [Collection("c")]
            public partial class T
            {
                [Field(1)]
                public Guid ID { get; init; }
            }
            """],
            ["""
            [Collection("c")]
            public partial class T
            {
                [Field(1)]
                [PrimaryKey]
                public Guid ID { get; init; }
            }
            """]);

    [Fact]
    public async Task No_fix_without_a_member_named_Id() =>
        Assert.Empty(await CodeFixHarness.ActionsAsync(new MarkPrimaryKeyCodeFix(), "PST0005",
            """[Collection("c")] public partial class T { public int Key { get; init; } }"""));

    /// <summary>A marked Id the generated code cannot set is reported too; a second [PrimaryKey] would only add CS0579.</summary>
    [Fact]
    public async Task No_fix_when_Id_is_marked_already() =>
        Assert.Empty(await CodeFixHarness.ActionsAsync(new MarkPrimaryKeyCodeFix(), "PST0005",
            """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; private init; } }"""));

    /// <summary>
    /// An attribute of another library named PrimaryKey (a type carried over from another store) is not ours: the Id
    /// still has no key, and marking it adds ours beside that one, with no CS0579.
    /// </summary>
    [Fact]
    public Task A_PrimaryKey_attribute_of_another_library_does_not_hide_the_fix() =>
        CodeFixHarness.VerifyAsync(new MarkPrimaryKeyCodeFix(), "PST0005",
            [LegacyAttribute, """
            [Collection("c")]
            public partial class T
            {
                [Legacy.PrimaryKey]
                public int Id { get; init; }
            }
            """],
            [LegacyAttribute, """
            [Collection("c")]
            public partial class T
            {
                [Legacy.PrimaryKey]
                [PrimaryKey]
                public int Id { get; init; }
            }
            """]);

    private const string LegacyAttribute = """
        namespace Legacy
        {
            [System.AttributeUsage(System.AttributeTargets.Property)]
            public sealed class PrimaryKeyAttribute : System.Attribute
            {
            }
        }
        """;
}
