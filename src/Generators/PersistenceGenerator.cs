using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Persistence.Generators.Emitting;
using Persistence.Generators.Parsing;

namespace Persistence.Generators;

/// <summary>
/// Generates the serializer, key encoders, indexes and typed collection of every [Collection] type, and the
/// serializer of every [Embedded] type. The pipeline is parse (symbol to an equatable model plus problems), then
/// model (problems dropped; nothing for a type with errors, whose problems the analyzers report), then emit. The
/// generator itself reports no diagnostics.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class PersistenceGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var collections = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeNames.Collection,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                static (target, cancellationToken) => TypeParser.Parse((INamedTypeSymbol)target.TargetSymbol, DocumentKind.Collection, cancellationToken))
            .WithTrackingName(TrackingNames.CollectionParse)
            .Select(static (result, _) => result.Emittable)
            .WithTrackingName(TrackingNames.CollectionModel)
            .Where(static model => model is not null)
            .WithTrackingName(TrackingNames.CollectionEmit);
        context.RegisterSourceOutput(collections, static (output, model) =>
            output.AddSource(HintNames.For(model!, "Collection"), CollectionEmitter.Emit(model!)));

        var embedded = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeNames.Embedded,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                static (target, cancellationToken) => TypeParser.Parse((INamedTypeSymbol)target.TargetSymbol, DocumentKind.Embedded, cancellationToken))
            .WithTrackingName(TrackingNames.EmbeddedParse)
            .Select(static (result, _) => result.Emittable)
            .WithTrackingName(TrackingNames.EmbeddedModel)
            .Where(static model => model is not null)
            .WithTrackingName(TrackingNames.EmbeddedEmit);
        context.RegisterSourceOutput(embedded, static (output, model) =>
            output.AddSource(HintNames.For(model!, "Embedded"), EmbeddedEmitter.Emit(model!)));
    }
}
