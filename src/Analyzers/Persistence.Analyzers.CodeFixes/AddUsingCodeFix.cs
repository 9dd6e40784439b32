using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Persistence.Analyzers.CodeFixes;

/// <summary>
/// PST0028: turns <c>var tx = db.BeginWrite();</c> into <c>using var tx = db.BeginWrite();</c>. Offered only for a
/// local declaration directly in a block whose variable is never assigned again (a using variable is read-only).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddUsingCodeFix)), Shared]
public sealed class AddUsingCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [DiagnosticDescriptors.UndisposedWriteTransactionId];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span, getInnermostNodeForTie: true)?.FirstAncestorOrSelf<LocalDeclarationStatementSyntax>() is not { } declaration
            || declaration.UsingKeyword != default
            || declaration.Parent is not BlockSyntax block
            || declaration.Declaration.Variables.Count != 1
            || IsAssignedAgain(block, declaration.Declaration.Variables[0].Identifier.ValueText))
        {
            return;
        }

        var fixedDeclaration = declaration
            .WithoutLeadingTrivia()
            .WithUsingKeyword(SyntaxFactory.Token(SyntaxKind.UsingKeyword).WithLeadingTrivia(declaration.GetLeadingTrivia()).WithTrailingTrivia(SyntaxFactory.Space));
        foreach (var diagnostic in context.Diagnostics)
        {
            context.RegisterCodeFix(
                CodeAction.Create("Dispose the transaction with 'using'", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(declaration, fixedDeclaration))), nameof(AddUsingCodeFix)),
                diagnostic);
        }
    }

    private static bool IsAssignedAgain(BlockSyntax block, string name) =>
        block.DescendantNodes().Any(n => n switch
        {
            AssignmentExpressionSyntax assignment => assignment.Left is IdentifierNameSyntax target && target.Identifier.ValueText == name,
            ArgumentSyntax argument => !argument.RefKindKeyword.IsKind(SyntaxKind.None) && argument.Expression is IdentifierNameSyntax passed && passed.Identifier.ValueText == name,
            _ => false,
        });
}
