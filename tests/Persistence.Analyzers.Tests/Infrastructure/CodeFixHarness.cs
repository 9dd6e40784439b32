using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;

namespace Persistence.Analyzers.Tests.Infrastructure;

/// <summary>
/// Applies a code fix as an IDE does: the sources become documents of a project in an <see cref="AdhocWorkspace"/>,
/// the analyzers find the diagnostics, the provider registers its actions through a <see cref="CodeFixContext"/> (or
/// its <see cref="FixAllProvider"/> builds one action for a scope), and the action's operations give the new
/// solution. The fixed sources are then compiled again, with the generator, and analyzed: no errors, and none of the
/// diagnostics the provider fixes.
/// </summary>
internal static class CodeFixHarness
{
    /// <summary>Fixes the <paramref name="index"/>th diagnostic <paramref name="id"/> (or, with a scope, all of them in it) and checks the result.</summary>
    public static async Task VerifyAsync(CodeFixProvider provider, string id, string[] before, string[] after, FixAllScope? scope = null, int index = 0)
    {
        var fixedSources = await ApplyAsync(provider, id, before, scope, index);
        Assert.Equal(after, fixedSources);
        await CompilesCleanAsync(provider, fixedSources);
    }

    /// <summary>The actions the provider offers for the first diagnostic <paramref name="id"/>.</summary>
    public static async Task<List<CodeAction>> ActionsAsync(CodeFixProvider provider, string id, params string[] sources)
    {
        using var workspace = new AdhocWorkspace();
        var (solution, _) = Create(workspace, sources);
        var diagnostic = (await DiagnosticsAsync(solution.Projects.Single(), id)).First();
        return await ActionsAsync(provider, solution.GetDocument(diagnostic.Location.SourceTree)!, diagnostic);
    }

    private static async Task<string[]> ApplyAsync(CodeFixProvider provider, string id, string[] sources, FixAllScope? scope, int index)
    {
        Assert.Contains(id, provider.FixableDiagnosticIds);
        using var workspace = new AdhocWorkspace();
        var (solution, documents) = Create(workspace, sources);
        var project = solution.Projects.Single();
        var diagnostics = await DiagnosticsAsync(project, id);
        Assert.True(diagnostics.Length > index, $"Expected at least {index + 1} {id} diagnostics, found {diagnostics.Length}.");
        var diagnostic = diagnostics[index];
        var document = solution.GetDocument(diagnostic.Location.SourceTree)!;
        var action = Assert.Single(await ActionsAsync(provider, document, diagnostic));
        if (scope is { } fixAllScope)
        {
            var fixAll = provider.GetFixAllProvider();
            Assert.NotNull(fixAll);
            Assert.Contains(fixAllScope, fixAll.GetSupportedFixAllScopes());
            var context = new FixAllContext(document, provider, fixAllScope, action.EquivalenceKey, [id], new Diagnostics(id), CancellationToken.None);
            action = await fixAll.GetFixAsync(context);
            Assert.NotNull(action);
        }

        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        var texts = new List<string>();
        foreach (var documentId in documents)
        {
            texts.Add((await changed.GetDocument(documentId)!.GetTextAsync()).ToString());
        }

        return [.. texts];
    }

    private static async Task CompilesCleanAsync(CodeFixProvider provider, string[] sources)
    {
        var compilation = AnalyzerHarness.WithGeneratedCode(AnalyzerHarness.Compile(sources));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()));
        var remaining = (await AnalyzerHarness.DiagnosticsAsync(compilation)).Where(d => provider.FixableDiagnosticIds.Contains(d.Id));
        Assert.Empty(remaining.Select(d => d.ToString()));
    }

    private static (Solution Solution, List<DocumentId> Documents) Create(AdhocWorkspace workspace, string[] sources)
    {
        var projectId = ProjectId.CreateNewId();
        var solution = workspace.CurrentSolution.AddProject(ProjectInfo.Create(
            projectId, VersionStamp.Create(), "Input", "Persistence.Analyzers.Input", LanguageNames.CSharp,
            compilationOptions: References.CompilationOptions, parseOptions: References.ParseOptions, metadataReferences: References.All));
        var documents = new List<DocumentId>();
        for (var i = 0; i < sources.Length; i++)
        {
            var documentId = DocumentId.CreateNewId(projectId);
            solution = solution.AddDocument(documentId, Path.GetFileName(References.SourcePath(i)), SourceText.From(sources[i]), filePath: References.SourcePath(i));
            documents.Add(documentId);
        }

        solution = solution.AddDocument(DocumentId.CreateNewId(projectId), "GlobalUsings.cs", SourceText.From(References.GlobalUsings), filePath: References.GlobalUsingsPath);
        return (solution, documents);
    }

    private static async Task<List<CodeAction>> ActionsAsync(CodeFixProvider provider, Document document, Diagnostic diagnostic)
    {
        var actions = new List<CodeAction>();
        await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
        return actions;
    }

    private static async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(Project project, string id)
    {
        var compilation = await project.GetCompilationAsync();
        return [.. (await AnalyzerHarness.DiagnosticsAsync(compilation!)).Where(d => d.Id == id)];
    }

    /// <summary>What Fix All asks for: the diagnostics of one document, or of a whole project.</summary>
    private sealed class Diagnostics(string id) : FixAllContext.DiagnosticProvider
    {
        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            var tree = await document.GetSyntaxTreeAsync(cancellationToken);
            return (await DiagnosticsAsync(document.Project, id)).Where(d => d.Location.SourceTree == tree);
        }

        public override async Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            (await DiagnosticsAsync(project, id)).Where(d => !d.Location.IsInSource);

        public override async Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            await DiagnosticsAsync(project, id);
    }
}
