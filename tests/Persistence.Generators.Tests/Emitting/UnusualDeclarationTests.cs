using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Persistence.Generators.Parsing;
using Persistence.Generators.Tests.Infrastructure;

namespace Persistence.Generators.Tests.Emitting;

/// <summary>
/// Legal but unusual declarations that the parser accepts without error: the generator runs without throwing (an
/// exception is CS8785 and drops all of its output), emits a file for every type, and that code compiles with no
/// warning or error. Sources of several files are separated by a line <c>//----</c>.
/// </summary>
public sealed class UnusualDeclarationTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { "keyword namespace", """
            namespace @class.@event;
            [Collection("c")] public partial class @record { [PrimaryKey] public int Id { get; init; } public @struct? Inner { get; set; } }
            [Embedded] public partial class @struct { public int X { get; set; } }
            """ },
        { "keyword type names", """
            namespace N;
            public partial class @operator
            {
                [Collection("c")] [Index("V")] public partial class @int { [PrimaryKey(Order = 1)] public int Id { get; init; } [PrimaryKey(Order = 2)] public int K { get; init; } public int V { get; set; } public @struct? S { get; set; } }
                [Embedded] public partial class @struct { public int X { get; set; } }
            }
            """ },
        { "keyword members", """
            namespace N;
            [Collection("c")] [Index("class", "string")] public partial class C { [PrimaryKey] public int @event { get; init; } public int @class { get; set; } public string @string { get; set; } = ""; }
            """ },
        { "key members differing in case", """
            namespace N;
            [Collection("c")] public partial class C { [PrimaryKey(Order = 1)] public int key { get; init; } [PrimaryKey(Order = 2)] public int Key { get; init; } [PrimaryKey(Order = 3)] public int Transaction { get; init; } [PrimaryKey(Order = 4)] public int transactionValue { get; init; } [PrimaryKey(Order = 5)] public int @class { get; init; } [PrimaryKey(Order = 6)] public int Class { get; init; } }
            """ },
        { "index members differing in case", """
            namespace N;
            [Collection("c")] [Index("key", "Key", "transaction", "Transaction")] [Index("from", "to", Unique = true)] public partial class C { [PrimaryKey] public int Id { get; init; } public int key { get; set; } public int Key { get; set; } public int transaction { get; set; } public int Transaction { get; set; } public int from { get; set; } public int to { get; set; } }
            """ },
        { "members named like the generated fields' instance", """
            namespace N;
            [Collection("c")] public partial class C { [PrimaryKey] public int Id { get; init; } public int Instance { get; set; } public int DefaultInstance { get; set; } }
            """ },
        { "an index named like another's accessor class", """
            namespace N;
            [Collection("c")] public partial class C { [PrimaryKey] public int Id { get; init; } [Index(Name = "A")] public int X { get; set; } [Index(Name = "AIndex")] public int Y { get; set; } [Index(Name = "AIndexIndex", Unique = true)] public int Z { get; set; } }
            """ },
        { "members named like object's members", """
            namespace N;
            #pragma warning disable CS0108, CS0114
            [Collection("c")] public partial class C { [PrimaryKey] public int Id { get; init; } public int Equals { get; set; } public string GetHashCode { get; set; } = ""; public int ToString { get; set; } public int GetType { get; set; } public int MemberwiseClone { get; set; } public int ReferenceEquals { get; set; } }
            """ },
        { "an unsealed type with an invocable member named GetType", """
            namespace N;
            #pragma warning disable CS0108
            [Collection("c")] public partial class C { [PrimaryKey] public int Id { get; init; } [Ignore] public System.Func<int> GetType { get; set; } = () => 0; public E? Inner { get; set; } }
            [Embedded] public partial class E { public int X { get; set; } [Ignore] public System.Func<int> GetType { get; set; } = () => 0; }
            """ },
        { "members named like generated and runtime names", """
            namespace N;
            [Collection("c")] [Index("Schema", "Key")] public partial class C { [PrimaryKey] public int Id { get; init; } public int ID { get; set; } public int Schema { get; set; } public int Key { get; set; } public int Collection { get; set; } public int Database { get; set; } public int Fields { get; set; } public int Instance { get; set; } public int Query { get; set; } public int writer { get; set; } public int reader { get; set; } public int value { get; set; } public int document { get; set; } public int keyReader { get; set; } }
            """ },
        { "types named like namespaces the generated code uses", """
            namespace N;
            public class Persistence { } public class System { } public class Microsoft { } public class Collections { }
            [global::Persistence.Collection("c")] public partial class C { [global::Persistence.PrimaryKey] public int Id { get; init; } public string S { get; set; } = ""; public global::System.Collections.Generic.List<int> L { get; set; } = []; }
            """ },
        { "Persistence and System as namespace segments", """
            namespace N.Persistence.System;
            [Collection("c")] [Index("S")] public partial class C { [PrimaryKey] public int Id { get; init; } public string S { get; set; } = ""; public global::System.DateTime D { get; set; } }
            """ },
        { "global namespace", """
            [Collection("c")] [Index("S")] public partial class C { [PrimaryKey(Order = 1)] public int Id { get; init; } [PrimaryKey(Order = 2)] public string S { get; init; } = ""; public E V { get; set; } public Inner? I { get; set; } [Embedded] public partial class Inner { public int X { get; set; } } }
            public enum E { A = -1, B }
            """ },
        { "records", """
            namespace N;
            [Collection("p")] public partial record P([property: PrimaryKey] int Id, string Name, int? Age);
            [Collection("n")] public partial record R { [PrimaryKey] public required int Id { get; init; } public required string Name { get; init; } }
            [Embedded] public partial record Pt([property: Field(1)] int X, [property: Field(2)] int Y);
            [Collection("t")] public partial record T([property: PrimaryKey, Field(1)] int Id, [property: Field(2)] Pt Pos, [property: Field(3)] List<Pt> All);
            public abstract record Base([property: PrimaryKey] int Id);
            [Collection("d")] public partial record D(int Id, string Name) : Base(Id);
            """ },
        { "primary constructor and fields", """
            namespace N;
            [Collection("c")] public partial class C(int id, string name) { [PrimaryKey] public int Id { get; } = id; public string Name { get; set; } = name; public int F; public required List<int> L; }
            """ },
        { "partial class across files", """
            namespace N;
            [Collection("c")] public partial class C { [PrimaryKey] public int Id { get; init; } }
            //----
            namespace N;
            [global::Persistence.Index("Name")] public partial class C { public string Name { get; set; } = ""; }
            """ },
        { "inheritance", """
            namespace N;
            public class B { [PrimaryKey] public int Id { get; init; } public string Name { get; set; } = ""; public virtual int V { get; set; } }
            [Collection("d")] public partial class D : B { public int X { get; set; } public override int V { get; set; } }
            [Collection("b2")] public partial class B2 { [PrimaryKey] public int Id { get; init; } }
            [Collection("d2")] public partial class D2 : B2 { public int X { get; set; } }
            [Collection("d3")] public partial class D3 : B { private new int Name { get; set; } }
            public interface IHas { int X { get; set; } }
            [Collection("d4")] public partial class D4 : IHas { [PrimaryKey] public int Id { get; init; } int IHas.X { get; set; } public int X { get; set; } }
            """ },
        { "nested accessibility", """
            namespace N;
            public partial class Outer { [Collection("p")] private partial class P { [PrimaryKey] public int Id { get; init; } } [Collection("q")] protected internal partial class Q { [PrimaryKey] public int Id { get; init; } } [Collection("r")] private protected partial class R { [PrimaryKey] public int Id { get; init; } } }
            internal partial class In { [Collection("s")] public partial class S { [PrimaryKey] public int Id { get; init; } } }
            """ },
        { "unicode names", """
            namespace Ä;
            [Collection("d")] [Index("Größe")] public partial class Straße { [PrimaryKey] public int Id { get; init; } public int Größe { get; set; } public string \u0041bc { get; set; } = ""; }
            """ },
        { "nullable-oblivious members", """
            namespace N;
            #nullable disable
            [Embedded] public partial class Emb { public string S { get; set; } }
            [Collection("d")] [Index("S")] public partial class D { [PrimaryKey] public int Id { get; init; } public string S { get; set; } public List<string> L { get; set; } public string[] A { get; set; } public Emb E { get; set; } public Dictionary<string, string> M { get; set; } public byte[] B { get; set; } public required string Req { get; init; } public List<Emb> LE { get; init; } }
            """ },
        { "key and index member types", """
            namespace N;
            public enum E : ulong { Max = ulong.MaxValue } public enum F : sbyte { N = -3 } [System.Flags] public enum G : long { A = 1, B = long.MinValue }
            [Collection("k")] public partial class K { [PrimaryKey(Order = 1)] public E En { get; init; } [PrimaryKey(Order = 2)] public byte[] B { get; init; } = []; [PrimaryKey(Order = 3)] public char C { get; init; } [PrimaryKey(Order = 4)] public bool Bo { get; init; } [PrimaryKey(Order = 5)] public decimal De { get; init; } [PrimaryKey(Order = 6)] public DateTimeOffset O { get; init; } }
            [Collection("i")] public partial class I { [PrimaryKey] public int Id { get; init; } [Index] public E En { get; set; } [Index] public F? Fn { get; set; } [Index] public G Gn { get; set; } [Index] public bool B { get; set; } [Index] public byte[]? Bytes { get; set; } [Index] public decimal Dec { get; set; } [Index] public char? C { get; set; } [Index] public DateOnly? DO { get; set; } [Index] public TimeOnly T { get; set; } [Index] public float Fl { get; set; } [Index] public DateTimeOffset? Dto { get; set; } [Index] public Guid? Gu { get; set; } [ExpiresAt] public DateTime? Exp { get; set; } }
            """ },
        { "a type both collection and embedded", """
            namespace N;
            [Collection("d")] [Embedded] public partial class D { [PrimaryKey] public int Id { get; init; } public D? Parent { get; set; } public List<D> Children { get; set; } = []; }
            """ },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_generated_code_compiles_cleanly(string name, string source)
    {
        var sources = source.Split("//----\n").Select(s => "using Persistence;\n" + s).ToArray();
        var compilation = GeneratorHarness.Compile(sources);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var types = DocumentTypes(compilation);
        Assert.Empty(types.SelectMany(t => TypeParser.Parse(t.Type, t.Kind, CancellationToken.None).Problems).Where(p => p.IsError).Select(p => $"{name}: {p.Id} {p.Message}"));

        var (run, output) = GeneratorHarness.Generate(sources);
        Assert.Empty(run.Diagnostics);
        var collections = types.Count(t => t.Kind == DocumentKind.Collection);
        Assert.Equal(types.Count + (collections > 0 ? 1 : 0), run.GeneratedTrees.Length);
        var generated = run.GeneratedTrees.ToHashSet();
        Assert.Empty(GeneratorHarness.Problems(output).Where(d => d.Location.SourceTree is { } tree && generated.Contains(tree)).Select(d => $"{name}: {d}"));
    }

    [Theory]
    [InlineData("""[Collection("c")] public partial record struct R([property: PrimaryKey] int Id, string Name);""")]
    [InlineData("""[Embedded] public partial record struct P(int X); [Collection("c")] public partial class C { [PrimaryKey] public int Id { get; init; } }""")]
    public void A_record_struct_gets_no_code_beside_the_compilers_error(string source)
    {
        var (run, output) = GeneratorHarness.Generate("using Persistence;\nnamespace N;\n" + source);
        Assert.DoesNotContain(run.GeneratedTrees, tree => tree.FilePath.Contains(".R.", StringComparison.Ordinal) || tree.FilePath.Contains(".P.", StringComparison.Ordinal));
        Assert.Equal(["CS0592"], output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id));
    }

    private static List<(INamedTypeSymbol Type, DocumentKind Kind)> DocumentTypes(Compilation compilation)
    {
        var types = new List<(INamedTypeSymbol, DocumentKind)>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var declaration in tree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>())
            {
                var symbol = (INamedTypeSymbol)model.GetDeclaredSymbol(declaration)!;
                if (symbol.DeclaringSyntaxReferences[0].GetSyntax() != declaration)
                {
                    continue; // a later part of a partial type
                }

                foreach (var (attribute, kind) in new[] { ("CollectionAttribute", DocumentKind.Collection), ("EmbeddedAttribute", DocumentKind.Embedded) })
                {
                    if (symbol.GetAttributes().Any(a => a.AttributeClass?.Name == attribute))
                    {
                        types.Add((symbol, kind));
                    }
                }
            }
        }

        return types;
    }
}
