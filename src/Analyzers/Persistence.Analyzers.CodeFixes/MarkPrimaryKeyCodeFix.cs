using System;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Simplification;
using Persistence.Generators.Parsing;

namespace Persistence.Analyzers.CodeFixes;

/// <summary>PST0005: marks the member named <c>Id</c> with [PrimaryKey], when the type declares one.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MarkPrimaryKeyCodeFix)), Shared]
public sealed class MarkPrimaryKeyCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [ProblemCatalog.NoPrimaryKey];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span)?.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } type)
        {
            return;
        }

        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (model is null || IdMember(type, model, context.CancellationToken) is not { } member)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            context.RegisterCodeFix(
                CodeAction.Create("Mark 'Id' as the primary key", c => FixAsync(context.Document, member, c), nameof(MarkPrimaryKeyCodeFix)),
                diagnostic);
        }
    }

    /// <summary>
    /// The property or field named Id (any case) declared in this part of the type, unless it is marked [PrimaryKey]
    /// already (PST0005 then says why it does not count, and a second attribute would be CS0579). Marked means with our
    /// attribute, as the semantic model binds it: another library's attribute named PrimaryKey leaves the fix offered.
    /// </summary>
    private static MemberDeclarationSyntax? IdMember(TypeDeclarationSyntax type, SemanticModel model, CancellationToken cancellationToken) =>
        type.Members.FirstOrDefault(m => m switch
        {
            PropertyDeclarationSyntax property => IsId(property.Identifier.ValueText) && !IsMarked(model.GetDeclaredSymbol(property, cancellationToken)),
            FieldDeclarationSyntax field => field.Declaration.Variables.Count == 1 && IsId(field.Declaration.Variables[0].Identifier.ValueText)
                && !IsMarked(model.GetDeclaredSymbol(field.Declaration.Variables[0], cancellationToken)),
            _ => false,
        });

    private static bool IsMarked(ISymbol? member) => member?.Has(AttributeNames.PrimaryKey) == true;

    private static bool IsId(string name) => string.Equals(name, "Id", StringComparison.OrdinalIgnoreCase);

    private static async Task<Document> FixAsync(Document document, MemberDeclarationSyntax member, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var attribute = editor.Generator.Attribute(SyntaxFactory.ParseName("global::Persistence.PrimaryKey").WithAdditionalAnnotations(Simplifier.Annotation));
        editor.AddAttribute(member, attribute);
        return editor.GetChangedDocument();
    }
}
