using Persistence.Analyzers.Tests.Infrastructure;

namespace Persistence.Analyzers.Tests.Declarations;

/// <summary>
/// Each problem the parser finds, reported by the analyzer at its attribute or member, beside a near miss that must stay
/// silent (and that the generator then compiles).
/// </summary>
public sealed class DocumentTypeAnalyzerTests
{
    public static TheoryData<string, string> Fires => new()
    {
        { "PST0001", """[Collection("c")] public class [|T|] { [PrimaryKey] public int Id { get; init; } }""" },
        { "PST0002", """public class O { [Collection("c")] public partial class [|T|] { [PrimaryKey] public int Id { get; init; } } }""" },
        { "PST0003", """[Collection("c")] public partial class [|T|]<X> { [PrimaryKey] public int Id { get; init; } }""" },
        { "PST0004", """[Collection("c")] public partial class [|T|] { private T() { } [PrimaryKey] public int Id { get; init; } }""" },
        { "PST0004", """[Collection("c")] public abstract partial class [|T|] { [PrimaryKey] public int Id { get; init; } }""" },
        { "PST0005", """[Collection("c")] public partial class [|T|] { public int Id { get; init; } }""" },
        { "PST0006", """[Collection("c")] public partial class T { [PrimaryKey] public int A { get; init; } [PrimaryKey] public int [|B|] { get; init; } }""" },
        { "PST0007", """[Collection("c")] public partial class T { [PrimaryKey] public int? [|Id|] { get; init; } }""" },
        { "PST0007", """[Collection("c")] public partial class T { [PrimaryKey] public string? [|Id|] { get; init; } }""" },
        { "PST0008", """[Collection("c")] public partial class T { [PrimaryKey] public int [|Id|] { get; set; } }""" },
        { "PST0009", """[Collection("c")] [[|Index("Nope")|]] public partial class T { [PrimaryKey] public int Id { get; init; } }""" },
        { "PST0010", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } [[|Index|]] public List<int> L { get; set; } = []; }""" },
        { "PST0011", """[Collection("c")] [[|Index("X")|]] public partial class T { [PrimaryKey] public int Id { get; init; } [Ignore] public int X { get; set; } }""" },
        { "PST0012", """[Collection("c")] [Index("A", Name = "N")] public partial class T { [PrimaryKey] public int Id { get; init; } public int A { get; set; } [[|Index(Name = "N")|]] public int B { get; set; } }""" },
        { "PST0013", """[Collection("c")] [Index("A")] public partial class T { [PrimaryKey] public int Id { get; init; } [[|Index(Name = "Other")|]] public int A { get; set; } }""" },
        { "PST0014", """[Collection("c")] public partial class T { [PrimaryKey] [[|Index|]] public int Id { get; init; } }""" },
        { "PST0015", """[Collection("c")] public partial class T { [PrimaryKey] [Field(1)] public int Id { get; init; } [[|Field(1)|]] public int A { get; set; } }""" },
        { "PST0016", """[Collection("c")] public partial class T { [PrimaryKey] [[|Field(0)|]] public int Id { get; init; } }""" },
        { "PST0017", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } public object? [|O|] { get; set; } }""" },
        { "PST0018", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } [ExpiresAt] public long [|E|] { get; set; } }""" },
        { "PST0019", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } [ExpiresAt] public DateTime A { get; set; } [ExpiresAt] public DateTime? [|B|] { get; set; } }""" },
        { "PST0020", """[[|Collection("a b")|]] public partial class T { [PrimaryKey] public int Id { get; init; } }""" },
        { "PST0020", """[[|Collection("")|]] public partial class T { [PrimaryKey] public int Id { get; init; } }""" },
        { "PST0021", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } [[|Index(Name = "a-b")|]] public int A { get; set; } }""" },
        { "PST0022", """[Collection("c")] [[|Index|]] public partial class T { [PrimaryKey] public int Id { get; init; } }""" },
        { "PST0023", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } public int [|A|] { get; private set; } }""" },
        { "PST0024", """[Embedded] public partial class T { [[|Index|]] public int A { get; set; } }""" },
        { "PST0030", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } [[|Index|]] private int A { get; set; } [[|Field(2)|]] public static int S; }""" },
        { "PST0031", """[Collection("c")] file partial class [|T|] { [PrimaryKey] public int Id { get; init; } }""" },
        { "PST0033", """[Collection("c")] public partial class [|T|] { [PrimaryKey] public int Id { get; init; } } public class TCollection { }""" },
        { "PST0032", """[Collection("c")] public partial class T { [PrimaryKey(Order = 1)] public int [|TKey|] { get; init; } [PrimaryKey(Order = 2)] public int B { get; init; } public int [|TFields|] { get; set; } }""" },
        { "PST0032", """[Collection("c")] public partial class T { [PrimaryKey(Order = 1)] public int A { get; init; } [PrimaryKey(Order = 2)] public string [|PrintMembers|] { get; init; } = ""; }""" },
        { "PST0034", """public class B { public int Value { get; set; } } [Collection("c")] public partial class T : B { [PrimaryKey] public int Id { get; init; } public new string [|Value|] { get; set; } = ""; }""" },
        { "PST0035", """[Embedded] public partial class B { public int X { get; set; } } [Embedded] public partial class [|T|] : B { public int Y { get; set; } }""" },
    };

    public static TheoryData<string, string> NearMisses => new()
    {
        { "PST0001", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } }""" },
        { "PST0002", """public partial class O { [Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } } }""" },
        { "PST0003", """public partial class O<X> { } [Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } }""" },
        { "PST0004", """[Collection("c")] public partial class T { internal T() { } [PrimaryKey] public int Id { get; init; } }""" },
        { "PST0005", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } }""" },
        { "PST0006", """[Collection("c")] public partial class T { [PrimaryKey(Order = 0)] public int A { get; init; } [PrimaryKey(Order = 1)] public int B { get; init; } }""" },
        { "PST0007", """[Collection("c")] public partial class T { [PrimaryKey] public string Id { get; init; } = ""; }""" },
        { "PST0008", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } public int Other { get; set; } }""" },
        { "PST0009", """[Collection("c")] [Index("Name")] public partial class T { [PrimaryKey] public int Id { get; init; } public string Name { get; set; } = ""; }""" },
        { "PST0010", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } [Index] public int? L { get; set; } }""" },
        { "PST0011", """[Collection("c")] [Index("X")] public partial class T { [PrimaryKey] public int Id { get; init; } public int X { get; set; } [Ignore] public int Y { get; set; } }""" },
        { "PST0012", """[Collection("c")] [Index("A", Name = "N")] public partial class T { [PrimaryKey] public int Id { get; init; } public int A { get; set; } [Index(Name = "M")] public int B { get; set; } }""" },
        { "PST0013", """[Collection("c")] [Index("A")] public partial class T { [PrimaryKey] public int Id { get; init; } [Index(Name = "Other", Unique = true)] public int A { get; set; } }""" },
        { "PST0014", """[Collection("c")] [Index("Id", "A")] public partial class T { [PrimaryKey] public int Id { get; init; } public int A { get; set; } }""" },
        { "PST0015", """[Collection("c")] public partial class T { [PrimaryKey] [Field(1)] public int Id { get; init; } [Field(2)] public int A { get; set; } }""" },
        { "PST0016", """[Collection("c")] public partial class T { [PrimaryKey] [Field(65535)] public int Id { get; init; } }""" },
        { "PST0017", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } [Ignore] public object? O { get; set; } }""" },
        { "PST0018", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } [ExpiresAt] public DateTimeOffset? E { get; set; } }""" },
        { "PST0019", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } [ExpiresAt] public DateTime A { get; set; } public DateTime? B { get; set; } }""" },
        { "PST0020", """[Collection("app.users-v2_x")] public partial class T { [PrimaryKey] public int Id { get; init; } }""" },
        { "PST0021", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } [Index(Name = "a_b")] public int A { get; set; } }""" },
        { "PST0022", """[Collection("c")] [Index("A")] public partial class T { [PrimaryKey] public int Id { get; init; } public int A { get; set; } }""" },
        { "PST0023", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } public int A => Id * 2; }""" },
        { "PST0024", """[Embedded] public partial class T { public int A { get; set; } }""" },
        { "PST0030", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } [Index] public int A { get; set; } [Ignore] private int B { get; set; } }""" },
        { "PST0031", """[Collection("c")] internal partial class T { [PrimaryKey] public int Id { get; init; } }""" },
        { "PST0033", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } } public partial class TCollection { public int Extra => 1; } public class TKey { } public class TSerializer<X> { } public class O { public class TFields { } }""" },
        { "PST0032", """[Collection("c")] public partial class T { [PrimaryKey] public int TKey { get; init; } public List<int> TFields { get; set; } = []; public int TSchema { get; set; } public int TCollection { get; set; } }""" },
        { "PST0034", """public class B { public virtual int A { get; set; } [Ignore] public int C { get; set; } public int D => 1; } [Collection("c")] public partial class T : B { [PrimaryKey] public int Id { get; init; } public override int A { get; set; } public new string C { get; set; } = ""; public new string D { get; set; } = ""; }""" },
        { "PST0034", """public class B { public string Name { get; set; } = ""; } [Embedded] public partial class T : B { public new string Name { get => base.Name; set => base.Name = value.Trim(); } }""" },
        { "PST0035", """public class B { public int X { get; set; } } [Embedded] public partial class T : B { public int Y { get; set; } } [Embedded] public partial class U { public T? Inner { get; set; } }""" },
    };

    [Theory]
    [MemberData(nameof(Fires))]
    public Task The_problem_is_reported_where_it_is(string id, string markup) => AnalyzerHarness.VerifyAsync(markup, id);

    [Theory]
    [MemberData(nameof(NearMisses))]
    public Task A_near_miss_is_not_reported(string id, string source)
    {
        Assert.StartsWith("PST", id, StringComparison.Ordinal);
        return AnalyzerHarness.VerifyAsync(source);
    }

    [Fact]
    public void Every_parser_problem_has_a_firing_case_and_a_near_miss()
    {
        var ids = DiagnosticDescriptors.Problems.Keys.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(ids, Fires.Select(c => (string)c[0]).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(ids, NearMisses.Select(c => (string)c[0]).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public Task A_type_that_is_both_collection_and_embedded_gets_each_problem_once() =>
        AnalyzerHarness.VerifyAsync("""[Collection("c")] [Embedded] public class [|T|] { [PrimaryKey] public int Id { get; init; } }""", "PST0001");

    [Fact]
    public Task Problems_in_a_partial_type_are_reported_in_the_file_that_has_them() =>
        AnalyzerHarness.VerifyAsync(
            [
                """[Collection("c")] public partial class T { [PrimaryKey] [Field(1)] public int Id { get; init; } }""",
                """public partial class T { [{|PST0015:Field(1)|}] public int A { get; set; } public object? {|PST0017:O|} { get; set; } }""",
            ]);

    [Fact]
    public Task Several_problems_of_one_type_are_all_reported() =>
        AnalyzerHarness.VerifyAsync("""
            [{|PST0020:Collection("no spaces")|}]
            public class {|PST0001:T|}
            {
                [PrimaryKey] public int {|PST0008:Id|} { get; set; }
                [{|PST0015:Field(0)|}] public int A { get; set; }
            }
            """.Replace("PST0015", "PST0016", StringComparison.Ordinal));

    /// <summary>
    /// A member hidden inside a referenced assembly has no place in the source: PST0034 is reported on the type whose
    /// documents lose that state, rather than nowhere (a diagnostic no #pragma can reach).
    /// </summary>
    [Fact]
    public Task A_member_hidden_in_a_referenced_assembly_is_reported_on_the_type()
    {
        var reference = Library("""namespace Lib { public class A { public int Value; } public class B : A { public new string Value { get; set; } = ""; } }""");
        return AnalyzerHarness.VerifyAsync(
            ["""[Collection("c")] public partial class [|T|] : Lib.B { [PrimaryKey] public int Id { get; init; } }"""],
            "PST0034",
            configure: c => c.AddReferences(reference));
    }

    /// <summary>
    /// PST0005 and PST0007 say what the case is: the accessor a [PrimaryKey] member has (or that it has none, or is
    /// computed, or a readonly field), and for a string key where nullable annotations are disabled, why it is refused
    /// and how to declare it.
    /// </summary>
    public static TheoryData<string, string, string> Messages => new()
    {
        {
            "PST0005", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; private init; } }""",
            "'T' has no primary key: 'Id' is marked [PrimaryKey] but is not stored, since the generated code cannot set it: its init accessor is private; make it public or internal, or set the member through a constructor parameter"
        },
        {
            "PST0005", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; protected set; } }""",
            "'T' has no primary key: 'Id' is marked [PrimaryKey] but is not stored, since the generated code cannot set it: its setter is protected; make it public or internal, or set the member through a constructor parameter"
        },
        {
            "PST0005", """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; } }""",
            "'T' has no primary key: 'Id' is marked [PrimaryKey] but is not stored, since the generated code cannot set it: it is a get-only property, with no setter or init accessor; add a public or internal init accessor, or set the member through a constructor parameter"
        },
        {
            "PST0005", """[Collection("c")] public partial class T { public int Number { get; init; } [PrimaryKey] public int Id => Number; }""",
            "'T' has no primary key: 'Id' is marked [PrimaryKey] but is computed (a get accessor with no state of its own), so there is nothing to store: mark the member it is computed from [PrimaryKey], or make it an auto-property with an init accessor"
        },
        {
            "PST0005", """[Collection("c")] public partial class T { [PrimaryKey] public readonly int Id; }""",
            "'T' has no primary key: 'Id' is marked [PrimaryKey] but is not stored, since the generated code cannot set it: it is a readonly field; set it through a constructor parameter"
        },
        {
            "PST0007", """[Collection("c")] public partial class T { [PrimaryKey] public int? Id { get; init; } }""",
            "Primary key member 'Id' has type 'int?', which cannot be a primary key: use a non-nullable bool, integer, char, enum, Guid, string, DateTime, DateTimeOffset, DateOnly, TimeOnly, TimeSpan, decimal, double, float or byte[]"
        },
        {
            "PST0007", """
            #nullable disable
            [Collection("c")] public partial class T { [PrimaryKey] public string Id { get; init; } }
            """,
            "Primary key member 'Id' has type 'string', declared where nullable annotations are disabled: a primary key must be non-nullable, and there the analyzer cannot know that the member is never null; declare it under #nullable enable (or #nullable enable annotations), where 'string' without '?' is non-nullable"
        },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task The_message_describes_the_case(string id, string source, string expected)
    {
        var diagnostics = await AnalyzerHarness.DiagnosticsAsync(AnalyzerHarness.Compile([source]));

        Assert.Equal(expected, Assert.Single(diagnostics, d => d.Id == id).GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// A [PrimaryKey] member of a base type in a referenced assembly shows its public surface alone: neither a private
    /// or internal accessor nor a backing field is imported, so the parser cannot tell a setter or init accessor it
    /// cannot reach, a get-only auto-property and a computed property apart. PST0005 says so rather than calling each
    /// of them computed.
    /// </summary>
    [Theory]
    [InlineData("{ get; private set; }")]
    [InlineData("{ get; private init; }")]
    [InlineData("{ get; internal set; }")]
    [InlineData("{ get; }")]
    public async Task A_key_of_a_referenced_base_type_is_not_said_to_be_computed(string accessors)
    {
        var reference = Library($$"""namespace Lib { public class Entity { [Persistence.PrimaryKey] public int Id {{accessors}} } }""");
        var compilation = AnalyzerHarness.Compile(["""[Collection("c")] public partial class T : Lib.Entity { }"""]).AddReferences(reference);

        var diagnostics = await AnalyzerHarness.DiagnosticsAsync(compilation);

        Assert.Equal(
            "'T' has no primary key: 'Id' is marked [PrimaryKey] but is not stored, since the generated code cannot set it: it is declared in the referenced assembly 'Lib' with no setter or init accessor the generated code can reach (a private or internal one is not visible from here); make one public there, or set the member through a constructor parameter",
            Assert.Single(diagnostics, d => d.Id == "PST0005").GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A reference to the assembly "Lib" compiled from <paramref name="source"/>, as a referenced DLL is seen.</summary>
    private static Microsoft.CodeAnalysis.MetadataReference Library(string source)
    {
        using var image = new MemoryStream();
        Assert.True(AnalyzerHarness.Compile([source]).WithAssemblyName("Lib").Emit(image).Success);
        return Microsoft.CodeAnalysis.MetadataReference.CreateFromImage(image.ToArray());
    }

    [Fact]
    public Task Types_without_the_attributes_are_not_analyzed() =>
        AnalyzerHarness.VerifyAsync("""public class T { [PrimaryKey] public int Id { get; set; } [Field(0)] public object? O { get; set; } }""");
}
