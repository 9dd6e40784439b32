using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Persistence.Generators.Parsing;

namespace Persistence.Analyzers.CodeFixes;

/// <summary>PST0008: turns the primary key property's <c>set</c> accessor into <c>init</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeKeyInitOnlyCodeFix)), Shared]
public sealed class MakeKeyInitOnlyCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [ProblemCatalog.MutableKey];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span)?.FirstAncestorOrSelf<PropertyDeclarationSyntax>() is not { } property
            || property.AccessorList?.Accessors.FirstOrDefault(a => a.IsKind(SyntaxKind.SetAccessorDeclaration)) is not { } setter)
        {
            return; // a field, or a setter declared elsewhere: no obvious fix
        }

        var init = SyntaxFactory.AccessorDeclaration(SyntaxKind.InitAccessorDeclaration, setter.AttributeLists, setter.Modifiers,
                SyntaxFactory.Token(SyntaxKind.InitKeyword).WithTriviaFrom(setter.Keyword), setter.Body, setter.ExpressionBody, setter.SemicolonToken)
            .WithTriviaFrom(setter);
        foreach (var diagnostic in context.Diagnostics)
        {
            context.RegisterCodeFix(
                CodeAction.Create("Make the primary key init-only", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(setter, init))), nameof(MakeKeyInitOnlyCodeFix)),
                diagnostic);
        }
    }
}
