using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Persistence.Analyzers.Declarations;
using Persistence.Generators.Parsing;

namespace Persistence.Analyzers.CodeFixes;

/// <summary>
/// PST0015, PST0016: gives the member's [Field] the next free tag, one past the largest tag of the type (never a gap
/// below it, which may be the tag of a removed member). The analyzer computes the tag and puts it in the diagnostic;
/// Fix All uses the distinct tag the analyzer assigned each reported member of a type, so fixing a whole project at
/// once, document by document, never gives two members the same tag.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RenumberTagCodeFix)), Shared]
public sealed class RenumberTagCodeFix : CodeFixProvider
{
    private const string Title = "Use the next free field tag";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [ProblemCatalog.DuplicateTag, ProblemCatalog.TagOutOfRange];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(FixAllAsync);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (Argument(root, diagnostic) is { } argument && Tag(diagnostic, DocumentTypeAnalyzer.NextTagProperty) is { } tag)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(Title, _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(argument, WithTag(argument, tag)))), nameof(RenumberTagCodeFix)),
                    diagnostic);
            }
        }
    }

    private static async Task<Document?> FixAllAsync(FixAllContext context, Document document, ImmutableArray<Diagnostic> diagnostics)
    {
        var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return null;
        }

        var changes = new Dictionary<AttributeArgumentSyntax, int>();
        foreach (var diagnostic in diagnostics)
        {
            if (Argument(root, diagnostic) is { } argument && Tag(diagnostic, DocumentTypeAnalyzer.FixAllTagProperty) is { } tag)
            {
                changes[argument] = tag;
            }
        }

        return document.WithSyntaxRoot(root.ReplaceNodes(changes.Keys, (original, _) => WithTag(original, changes[original])));
    }

    /// <summary>The tag argument of the [Field(n)] attribute the diagnostic is on.</summary>
    private static AttributeArgumentSyntax? Argument(SyntaxNode root, Diagnostic diagnostic) =>
        root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<AttributeSyntax>()?.ArgumentList?.Arguments.FirstOrDefault();

    private static int? Tag(Diagnostic diagnostic, string property) =>
        diagnostic.Properties.TryGetValue(property, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var tag) ? tag : null;

    private static AttributeArgumentSyntax WithTag(AttributeArgumentSyntax argument, int tag) =>
        argument.WithExpression(SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(tag)).WithTriviaFrom(argument.Expression));
}
