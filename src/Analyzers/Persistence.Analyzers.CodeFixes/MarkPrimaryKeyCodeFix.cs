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
        if (root?.FindNode(context.Span)?.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } type || IdMember(type) is not { } member)
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
    /// already (PST0005 then says why it does not count, and a second attribute would be CS0579).
    /// </summary>
    private static MemberDeclarationSyntax? IdMember(TypeDeclarationSyntax type) =>
        type.Members.FirstOrDefault(m => !IsMarked(m) && m switch
        {
            PropertyDeclarationSyntax property => IsId(property.Identifier.ValueText),
            FieldDeclarationSyntax field => field.Declaration.Variables.Count == 1 && IsId(field.Declaration.Variables[0].Identifier.ValueText),
            _ => false,
        });

    private static bool IsMarked(MemberDeclarationSyntax member) =>
        member.AttributeLists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString().Split('.').Last() is "PrimaryKey" or "PrimaryKeyAttribute");

    private static bool IsId(string name) => string.Equals(name, "Id", StringComparison.OrdinalIgnoreCase);

    private static async Task<Document> FixAsync(Document document, MemberDeclarationSyntax member, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var attribute = editor.Generator.Attribute(SyntaxFactory.ParseName("global::Persistence.PrimaryKey").WithAdditionalAnnotations(Simplifier.Annotation));
        editor.AddAttribute(member, attribute);
        return editor.GetChangedDocument();
    }
}
