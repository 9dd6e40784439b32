using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Persistence.Generators.Tests.Infrastructure;

/// <summary>
/// Runs <see cref="PersistenceGenerator"/> in-process with <see cref="CSharpGeneratorDriver"/> over sources compiled
/// against the shared framework and Persistence.Runtime, with nullable enabled, every warning wave on and XML
/// documentation diagnosed, as a user project with warnings as errors would be built.
/// </summary>
internal static class GeneratorHarness
{
    /// <summary>The implicit usings of an SDK project, so inputs read as they would in a user's project.</summary>
    public const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview, DocumentationMode.Diagnose);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    /// <summary>Compiles <paramref name="sources"/> as a project referencing Persistence.Runtime (and so, as the package does, Microsoft.Extensions.DependencyInjection.Abstractions).</summary>
    public static CSharpCompilation Compile(params string[] sources) => Compile(dependencyInjection: true, sources);

    /// <summary>Compiles <paramref name="sources"/>; without <paramref name="dependencyInjection"/>, IServiceCollection is not referenced.</summary>
    public static CSharpCompilation Compile(bool dependencyInjection, params string[] sources)
    {
        var trees = sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Input{i}.cs"))
            .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, ParseOptions, path: "GlobalUsings.cs"));
        var references = dependencyInjection ? s_references.Value : s_references.Value.RemoveAt(s_references.Value.Length - 1);
        return CSharpCompilation.Create(
            "Persistence.Generators.Input",
            trees,
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999));
    }

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            [new PersistenceGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator over <paramref name="sources"/>; returns the run and the compilation with the generated code added.</summary>
    public static (GeneratorDriverRunResult Run, Compilation Output) Generate(params string[] sources)
    {
        var compilation = Compile(sources);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        Assert.Empty(diagnostics);
        return (driver.GetRunResult(), output);
    }

    /// <summary>Every diagnostic of warning severity or above (hidden and info ones are style suggestions).</summary>
    public static List<Diagnostic> Problems(Compilation compilation) =>
        compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = Directory.GetFiles(framework, "*.dll")
            .Where(IsManagedAssembly)
            .Append(typeof(Database).Assembly.Location)
            .Append(typeof(Microsoft.Extensions.DependencyInjection.IServiceCollection).Assembly.Location); // last: Compile may leave it out
        return [.. paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
