using Microsoft.CodeAnalysis.CSharp;
using Persistence.Generators.Parsing;
using Persistence.Generators.Tests.Infrastructure;

namespace Persistence.Generators.Tests.Parsing;

/// <summary>
/// Each problem the parser detects, on a minimal type that has it (and nothing else), with its location; the
/// generator emits nothing for a type with an error and reports no diagnostics itself.
/// </summary>
public sealed class ProblemTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { ProblemCatalog.NotPartial, """[Collection("c")] public class T { [PrimaryKey] public int Id { get; init; } }""" },
        { ProblemCatalog.ContainingTypeNotPartial, """public class O { [Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } } }""" },
        { ProblemCatalog.Generic, """[Collection("c")] public partial class T<X> { [PrimaryKey] public int Id { get; init; } }""" },
        { ProblemCatalog.NoUsableConstructor, """[Collection("c")] public partial class T { private T() { } [PrimaryKey] public int Id { get; init; } }""" },
        { ProblemCatalog.NoUsableConstructor, """[Collection("c")] public partial class T { public T(string other) { } [PrimaryKey] public int Id { get; init; } }""" },
        { ProblemCatalog.NoUsableConstructor, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } [Ignore] public required string X { get; init; } }""" },
        { ProblemCatalog.NoUsableConstructor, """[Collection("c")] public partial class T { public T(int iD) { id = iD; } [PrimaryKey] public int Id { get; init; } public int id { get; init; } }""" },
        { ProblemCatalog.NoUsableConstructor, """public class B { [Ignore] public required string X { get; init; } } [Collection("c")] public partial class T : B { [PrimaryKey] public int Id { get; init; } }""" },
        { ProblemCatalog.NoPrimaryKey, """[Collection("c")] public partial class T { public int Id { get; init; } }""" },
        { ProblemCatalog.UnorderedKeys, """[Collection("c")] public partial class T { [PrimaryKey] public int A { get; init; } [PrimaryKey] public int B { get; init; } }""" },
        { ProblemCatalog.UnsupportedKeyType, """[Collection("c")] public partial class T { [PrimaryKey] public int? Id { get; init; } }""" },
        { ProblemCatalog.UnsupportedKeyType, """[Collection("c")] public partial class T { [PrimaryKey] public List<int> Id { get; init; } = []; }""" },
        { ProblemCatalog.MutableKey, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; set; } }""" },
        { ProblemCatalog.IndexMemberMissing, """[Collection("c")] [Index("Nope")] public partial class T { [PrimaryKey] public int Id { get; init; } }""" },
        { ProblemCatalog.IndexMemberUnsupported, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } [Index] public List<int> L { get; set; } = []; }""" },
        { ProblemCatalog.IgnoredMemberUsed, """[Collection("c")] [Index("X")] public partial class T { [PrimaryKey] public int Id { get; init; } [Ignore] public int X { get; set; } }""" },
        { ProblemCatalog.DuplicateIndexName, """[Collection("c")] [Index("A", Name = "N")] public partial class T { [PrimaryKey] public int Id { get; init; } public int A { get; set; } [Index(Name = "N")] public int B { get; set; } }""" },
        { ProblemCatalog.DuplicateIndex, """[Collection("c")] [Index("A")] public partial class T { [PrimaryKey] public int Id { get; init; } [Index(Name = "Other")] public int A { get; set; } }""" },
        { ProblemCatalog.IndexIsKeyPrefix, """[Collection("c")] public partial class T { [PrimaryKey] [Index] public int Id { get; init; } }""" },
        { ProblemCatalog.DuplicateTag, """[Collection("c")] public partial class T { [PrimaryKey] [Field(1)] public int Id { get; init; } [Field(1)] public int A { get; set; } }""" },
        { ProblemCatalog.TagOutOfRange, """[Collection("c")] public partial class T { [PrimaryKey] [Field(0)] public int Id { get; init; } }""" },
        { ProblemCatalog.UnsupportedMemberType, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } public object? O { get; set; } }""" },
        { ProblemCatalog.UnsupportedMemberType, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } public Other? O { get; set; } } public class Other { }""" },
        { ProblemCatalog.UnsupportedMemberType, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } public Dictionary<int, int> D { get; set; } = []; }""" },
        { ProblemCatalog.UnsupportedMemberType, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } public Half D { get; set; } }""" },
        { ProblemCatalog.UnsupportedMemberType, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } public List<Int128?> L { get; set; } = []; }""" },
        { ProblemCatalog.UnsupportedMemberType, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } public Money M { get; set; } } public struct Money { public decimal Amount; }""" },
        { ProblemCatalog.ExpiresAtType, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } [ExpiresAt] public long E { get; set; } }""" },
        { ProblemCatalog.SeveralExpiresAt, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } [ExpiresAt] public DateTime A { get; set; } [ExpiresAt] public DateTime? B { get; set; } }""" },
        { ProblemCatalog.InvalidCollectionName, """[Collection("a b")] public partial class T { [PrimaryKey] public int Id { get; init; } }""" },
        { ProblemCatalog.InvalidCollectionName, """[Collection("")] public partial class T { [PrimaryKey] public int Id { get; init; } }""" },
        { ProblemCatalog.InvalidIndexName, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } [Index(Name = "a-b")] public int A { get; set; } }""" },
        { ProblemCatalog.InvalidIndexDeclaration, """[Collection("c")] [Index] public partial class T { [PrimaryKey] public int Id { get; init; } }""" },
        { ProblemCatalog.InvalidIndexDeclaration, """[Collection("c")] [Index("A", "A")] public partial class T { [PrimaryKey] public int Id { get; init; } public int A { get; set; } }""" },
        { ProblemCatalog.MemberNotStored, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } public int A { get; private set; } }""" },
        { ProblemCatalog.NoEffectOnEmbedded, """[Embedded] public partial class T { [Index] public int A { get; set; } }""" },
        { ProblemCatalog.AttributeOnUnstoredMember, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } [Index] internal int A { get; set; } }""" },
        { ProblemCatalog.AttributeOnUnstoredMember, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } [Field(1)] public static int S { get; set; } }""" },
        { ProblemCatalog.MemberNamedLikeGeneratedType, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } public string TFields { get; set; } = ""; }""" },
        { ProblemCatalog.MemberNamedLikeGeneratedType, """[Collection("c")] public partial class T { [PrimaryKey(Order = 1)] public int TKey { get; init; } [PrimaryKey(Order = 2)] public int B { get; init; } }""" },
        { ProblemCatalog.MemberNamedLikeGeneratedType, """[Collection("c")] public partial class T { [PrimaryKey(Order = 1)] public int A { get; init; } [PrimaryKey(Order = 2)] public int Deconstruct { get; init; } }""" },
        { ProblemCatalog.GeneratedNameTaken, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } } public class TCollection { }""" },
        { ProblemCatalog.GeneratedNameTaken, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } } public enum TFields { }""" },
        { ProblemCatalog.GeneratedNameTaken, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } } public partial class TSchema { }""" },
        { ProblemCatalog.GeneratedNameTaken, """[Collection("c")] public partial class T { [PrimaryKey(Order = 1)] public int A { get; init; } [PrimaryKey(Order = 2)] public int B { get; init; } } public record TKey(int A, int B);""" },
        { ProblemCatalog.GeneratedNameTaken, """[Embedded] public partial class T { public int X { get; set; } } public static class TSerializer { }""" },
        { ProblemCatalog.FileLocal, """[Collection("c")] file partial class T { [PrimaryKey] public int Id { get; init; } }""" },
        { ProblemCatalog.FileLocal, """[Embedded] file partial class T { public int X { get; set; } }""" },
        { ProblemCatalog.FileLocal, """file partial class O { [Collection("c")] public partial class T { [PrimaryKey] public int Id { get; init; } } }""" },
        { ProblemCatalog.HiddenMemberNotStored, """public class B { public int Value { get; set; } } [Collection("c")] public partial class T : B { [PrimaryKey] public int Id { get; init; } public new string Value { get; set; } = ""; }""" },
        { ProblemCatalog.HiddenMemberNotStored, """public class B { public int Value; } [Embedded] public partial class T : B { public new int Value { get; set; } }""" },
        { ProblemCatalog.HiddenMemberNotStored, """public class B { public string Name { get; set; } = ""; } [Embedded] public partial class T : B { public new string Name { get => base.Name.Trim(); } }""" },
        { ProblemCatalog.HiddenMemberNotStored, """public class B { public string Name { get; set; } = ""; } [Embedded] public partial class T : B { public new string Name { get => ""; set => base.Name = value; } }""" },
        { ProblemCatalog.DerivesFromDocumentType, """[Embedded] public partial class B { public int X { get; set; } } [Embedded] public partial class T : B { public int Y { get; set; } }""" },
        { ProblemCatalog.DerivesFromDocumentType, """[Collection("b")] public partial class B { [PrimaryKey] public int Id { get; init; } } public class M : B { } [Collection("c")] public partial class T : M { public int Y { get; set; } }""" },
    };

    /// <summary>Problems whose message gives the cause that applies, rather than a generic one that misleads.</summary>
    public static TheoryData<string, string, string> Messages => new()
    {
        { ProblemCatalog.NoUsableConstructor, """[Collection("c")] public static partial class T { }""", "it is static" },
        { ProblemCatalog.NoUsableConstructor, """[Collection("c")] public abstract partial class T { [PrimaryKey] public int Id { get; init; } }""", "it is abstract" },
        { ProblemCatalog.NoPrimaryKey, """[Collection("c")] public partial class T { public int Id { get; init; } }""", "mark a member with [PrimaryKey]" },
        { ProblemCatalog.NoPrimaryKey, """public abstract class B { [PrimaryKey] public abstract int Id { get; init; } } [Collection("c")] public partial class T : B { public override int Id { get; init; } }""", "'Id' overrides a [PrimaryKey] member of 'B' without the attribute" },
        { ProblemCatalog.NoPrimaryKey, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; private init; } }""", "'Id' is marked [PrimaryKey] but is not stored" },
        { ProblemCatalog.NoPrimaryKey, """[Collection("c")] public partial class T { [PrimaryKey] public int Id { get; protected set; } }""", "'Id' is marked [PrimaryKey] but is not stored" },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void The_message_gives_the_cause(string id, string declaration, string expected)
    {
        var problem = Assert.Single(Parse(declaration), p => p.Id == id);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("{", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_problem_is_found(string id, string declaration)
    {
        var problems = Parse(declaration);
        var problem = Assert.Single(problems);
        Assert.Equal(id, problem.Id);
        Assert.NotNull(problem.Location);
        Assert.Equal("Input0.cs", problem.Location.Value.FilePath);
        Assert.DoesNotContain("{", problem.Message, StringComparison.Ordinal);
        var (run, _) = GeneratorHarness.Generate(Source(declaration));
        Assert.Empty(run.Diagnostics);
        if (problem.IsError)
        {
            Assert.Empty(run.GeneratedTrees);
        }
    }

    [Fact]
    public void Valid_inputs_have_no_problems()
    {
        foreach (var name in new[] { "User", "Orders", "Profiles", "Nested", "AllTypes", "Embedded" })
        {
            var compilation = GeneratorHarness.Compile(GoldenFiles.ReadInput(name));
            foreach (var type in compilation.SyntaxTrees.SelectMany(t => t.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax>()))
            {
                var symbol = (Microsoft.CodeAnalysis.INamedTypeSymbol)compilation.GetSemanticModel(type.SyntaxTree).GetDeclaredSymbol(type)!;
                var kind = symbol.GetAttributes().Any(a => a.AttributeClass?.Name == "CollectionAttribute") ? DocumentKind.Collection : DocumentKind.Embedded;
                Assert.Empty(TypeParser.Parse(symbol, kind, CancellationToken.None).Problems.Select(p => $"{name}/{symbol.Name}: {p.Id} {p.Message}"));
            }
        }
    }

    [Fact]
    public void The_catalog_and_PROBLEMS_md_agree()
    {
        var table = File.ReadAllLines(Path.Combine(GoldenFiles.Directory, "..", "..", "..", "src", "Generators", "Parsing", "PROBLEMS.md"))
            .Where(l => l.StartsWith("| PST", StringComparison.Ordinal))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
            .Select(cells => $"{cells[1]} {cells[2]} {cells[3]}")
            .ToList();
        var catalog = ProblemCatalog.Descriptors.Select(d => $"{d.Id} {d.Severity} {d.Title}").ToList();
        Assert.Equal(catalog, table);
        Assert.Equal(catalog.Count, Cases.Select(c => (string)c[0]).Distinct().Count());
    }

    private static string Source(string declaration) => "using Persistence;\n" + declaration;

    private static List<Problem> Parse(string declaration)
    {
        var compilation = GeneratorHarness.Compile(Source(declaration));
        // A file-local type's metadata name is mangled with its file's: found by its simple name instead.
        var symbol = compilation.GetTypeByMetadataName("T") ?? compilation.GetTypeByMetadataName("T`1") ?? compilation.GetTypeByMetadataName("O+T")
            ?? compilation.GetSymbolsWithName("T", Microsoft.CodeAnalysis.SymbolFilter.Type).OfType<Microsoft.CodeAnalysis.INamedTypeSymbol>().Single();
        var kind = symbol.GetAttributes().Any(a => a.AttributeClass?.Name == "EmbeddedAttribute") ? DocumentKind.Embedded : DocumentKind.Collection;
        return [.. TypeParser.Parse(symbol, kind, CancellationToken.None).Problems];
    }
}
