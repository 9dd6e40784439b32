using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Persistence.Analyzers.Tests.Infrastructure;

/// <summary>What the analyzed compilations are made of: the shared framework, Persistence.Runtime, and the options of an SDK project.</summary>
internal static class References
{
    /// <summary>The implicit usings of an SDK project, plus Persistence and its query namespace.</summary>
    public const string GlobalUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.Linq;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        global using global::Persistence;
        """;

    public const string GlobalUsingsPath = "/src/GlobalUsings.cs";

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    public static readonly CSharpCompilationOptions CompilationOptions =
        new(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_all = new(Load);

    public static ImmutableArray<MetadataReference> All => s_all.Value;

    /// <summary>The path of the <paramref name="index"/>th test source.</summary>
    public static string SourcePath(int index) => $"/src/Test{index}.cs";

    private static ImmutableArray<MetadataReference> Load()
    {
        var framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = Directory.GetFiles(framework, "*.dll").Where(IsManagedAssembly).Append(typeof(Database).Assembly.Location);
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
