using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Persistence.Generators.Emitting;
using Persistence.Generators.Parsing;

namespace Persistence.Generators;

/// <summary>
/// Generates the serializer, key encoders, indexes and typed collection of every [Collection] type, and the
/// serializer of every [Embedded] type, and the assembly's AddPersistenceCollections() registration. The pipeline is parse (symbol to an equatable model plus problems), then
/// model (problems dropped; nothing for a type with errors, whose problems the analyzers report), then emit. The
/// generator itself reports no diagnostics.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class PersistenceGenerator : IIncrementalGenerator
{
    private const string ServiceCollectionType = "Microsoft.Extensions.DependencyInjection.IServiceCollection";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var collections = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeNames.Collection,
                static (node, _) => IsClass(node),
                static (target, cancellationToken) => TypeParser.Parse((INamedTypeSymbol)target.TargetSymbol, DocumentKind.Collection, cancellationToken))
            .WithTrackingName(TrackingNames.CollectionParse)
            .Select(static (result, _) => result.Emittable)
            .WithTrackingName(TrackingNames.CollectionModel)
            .Where(static model => model is not null)
            .WithTrackingName(TrackingNames.CollectionEmit);
        context.RegisterSourceOutput(collections, static (output, model) =>
            output.AddSource(HintNames.For(model!, "Collection"), CollectionEmitter.Emit(model!)));

        // AddPersistenceCollections(): one file for the assembly, listing its collections, when the compilation can
        // see IServiceCollection (Persistence.Runtime depends on it, so in practice always). Only a bool is taken from
        // the compilation, never the compilation itself, so an edit elsewhere leaves this step cached.
        var registrations = collections
            .Select(static (model, _) => ServiceRegistration.From(model!))
            .WithTrackingName(TrackingNames.ServiceRegistration)
            .Where(static registration => registration is not null)
            .Collect()
            .Select(static (all, _) => all.Select(r => r!).OrderBy(r => r.CollectionType, StringComparer.Ordinal).ToEquatableArray())
            .WithTrackingName(TrackingNames.ServiceRegistrations);
        var dependencyInjection = context.CompilationProvider
            .Select(static (compilation, _) => compilation.GetTypeByMetadataName(ServiceCollectionType) is not null)
            .WithTrackingName(TrackingNames.DependencyInjection);
        // The assembly's name (a string, never the compilation) names its public registration, if it has one.
        var assemblyName = context.CompilationProvider
            .Select(static (compilation, _) => compilation.AssemblyName)
            .WithTrackingName(TrackingNames.AssemblyName);
        var serviceCollection = registrations.Combine(dependencyInjection).Combine(assemblyName)
            .WithTrackingName(TrackingNames.ServiceCollectionEmit);
        context.RegisterSourceOutput(serviceCollection, static (output, input) =>
        {
            var ((all, available), assembly) = input;
            if (available && all.Count > 0)
            {
                output.AddSource(ServiceCollectionEmitter.HintName, ServiceCollectionEmitter.Emit(all, assembly));
            }
        });

        var embedded = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeNames.Embedded,
                static (node, _) => IsClass(node),
                static (target, cancellationToken) => TypeParser.Parse((INamedTypeSymbol)target.TargetSymbol, DocumentKind.Embedded, cancellationToken))
            .WithTrackingName(TrackingNames.EmbeddedParse)
            .Select(static (result, _) => result.Emittable)
            .WithTrackingName(TrackingNames.EmbeddedModel)
            .Where(static model => model is not null)
            .WithTrackingName(TrackingNames.EmbeddedEmit);
        context.RegisterSourceOutput(embedded, static (output, model) =>
            output.AddSource(HintNames.For(model!, "Embedded"), EmbeddedEmitter.Emit(model!)));
    }

    /// <summary>
    /// A class or record class: the attributes are for classes only, and on a record struct (CS0592 already) the
    /// generated code, which takes document types as reference types, would add errors of its own.
    /// </summary>
    private static bool IsClass(SyntaxNode node) =>
        node is ClassDeclarationSyntax or RecordDeclarationSyntax { ClassOrStructKeyword.RawKind: not (int)SyntaxKind.StructKeyword };
}
