using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Parsing;

/// <summary>
/// Reads a [Collection] or [Embedded] type symbol into a <see cref="TypeModel"/> and the list of its problems. It
/// depends on nothing but the symbol (attributes are recognized by name), so the generator and the analyzers share
/// it: the generator emits code for error-free models, the analyzers report the problems.
/// </summary>
internal sealed partial class TypeParser
{
    private readonly INamedTypeSymbol _type;
    private readonly DocumentKind _kind;
    private readonly CancellationToken _cancellationToken;
    private readonly List<Problem> _problems = [];
    private readonly List<StoredMember> _members = [];

    // Members marked [Ignore] and members whose type is unsupported, by name: indexes and keys that name them get a
    // precise problem instead of "missing".
    private readonly Dictionary<string, ISymbol> _ignored = [];
    private readonly Dictionary<string, ISymbol> _unsupported = [];

    // Members the generated code cannot set, which are not stored: a [PrimaryKey] among them explains a missing key.
    private readonly List<StoredMember> _unassigned = [];

    private TypeParser(INamedTypeSymbol type, DocumentKind kind, CancellationToken cancellationToken)
    {
        _type = type;
        _kind = kind;
        _cancellationToken = cancellationToken;
    }

    private Location? TypeLocation => _type.Locations.Length > 0 ? _type.Locations[0] : null;

    /// <summary>Parses <paramref name="type"/> as the given kind of document type.</summary>
    public static ParseResult Parse(INamedTypeSymbol type, DocumentKind kind, CancellationToken cancellationToken)
    {
        var parser = new TypeParser(type, kind, cancellationToken);
        var model = parser.Parse();
        return new ParseResult(model, parser._problems.ToEquatableArray());
    }

    private TypeModel? Parse()
    {
        CheckDeclaration();
        CollectMembers();
        _cancellationToken.ThrowIfCancellationRequested();
        var constructor = ChooseConstructor();
        AssignMembers(constructor);
        CheckTags();
        var collection = _kind == DocumentKind.Collection ? ParseCollection() : null;
        if (_kind == DocumentKind.Embedded)
        {
            CheckGeneratedTypesFree(_type.Name + "Serializer");
        }

        if (_kind == DocumentKind.Embedded && !_type.Has(AttributeNames.Collection))
        {
            WarnCollectionAttributesOnEmbedded();
        }

        var stored = _members.Where(m => m.Shape is not null && m.Assignment is not null).ToList();
        return new TypeModel(
            _type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : "",
            ContainingTypes(),
            _type.Name,
            ShapeResolver.FullName(_type),
            AccessibilityText(_type.DeclaredAccessibility),
            HelperAccessibility(_type.DeclaredAccessibility),
            stored.Select(m => new MemberModel(m.Name, m.Shape!, m.Tag, m.Assignment!.Value)).ToEquatableArray(),
            (constructor?.Parameters.Select(p => Bind(p)!.Name) ?? []).ToEquatableArray(),
            collection,
            _type.IsSealed);
    }

    /// <summary>
    /// Records a problem at <paramref name="location"/>, or at the type when that is not in source: a member inherited
    /// from a referenced assembly has only a metadata location, and a problem there would be reported nowhere.
    /// </summary>
    private void Report(string id, Location? location, params string[] arguments) =>
        _problems.Add(Problem.Create(id, location is { IsInSource: true } ? location : TypeLocation, arguments));

    private Location? AttributeLocation(AttributeData attribute) =>
        attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken).GetLocation() ?? TypeLocation;

    private void CheckDeclaration()
    {
        if (!IsPartial(_type))
        {
            Report(ProblemCatalog.NotPartial, TypeLocation, _type.Name);
        }

        var generic = _type.IsGenericType;
        for (var outer = _type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            generic |= outer.IsGenericType;
            if (!IsPartial(outer))
            {
                Report(ProblemCatalog.ContainingTypeNotPartial, TypeLocation, _type.Name, outer.Name);
            }
        }

        if (generic)
        {
            Report(ProblemCatalog.Generic, TypeLocation, _type.Name);
        }

        for (var scope = _type; scope is not null; scope = scope.ContainingType)
        {
            if (scope.IsFileLocal)
            {
                Report(ProblemCatalog.FileLocal, TypeLocation, _type.Name);
                break;
            }
        }

        CheckBaseTypes();
    }

    /// <summary>
    /// A type deriving from a [Collection] or [Embedded] type: that type's generated code writes its own members alone,
    /// so an instance of this one stored as the base would lose what it adds and read back as the base; the generated
    /// code refuses it at run time, and this warns where the analyzer can see it. It walks the base types only: the
    /// types deriving from a given one cannot be found without scanning the compilation.
    /// </summary>
    private void CheckBaseTypes()
    {
        for (var baseType = _type.BaseType; baseType is not null; baseType = baseType.BaseType)
        {
            var kind = baseType.Has(AttributeNames.Collection) ? "Collection" : baseType.Has(AttributeNames.Embedded) ? "Embedded" : null;
            if (kind is not null)
            {
                Report(ProblemCatalog.DerivesFromDocumentType, TypeLocation, _type.Name, baseType.Name, kind);
                return;
            }
        }
    }

    private bool IsPartial(INamedTypeSymbol type) =>
        type.DeclaringSyntaxReferences.Length > 0 && type.DeclaringSyntaxReferences.All(r =>
            r.GetSyntax(_cancellationToken) is TypeDeclarationSyntax declaration && declaration.Modifiers.Any(SyntaxKind.PartialKeyword));

    private EquatableArray<ContainingType> ContainingTypes()
    {
        var types = new List<ContainingType>();
        for (var outer = _type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            var keyword = outer.IsRecord
                ? outer.TypeKind == TypeKind.Struct ? "record struct" : "record"
                : outer.TypeKind switch
                {
                    TypeKind.Struct => "struct",
                    TypeKind.Interface => "interface",
                    _ => "class",
                };
            types.Insert(0, new ContainingType(keyword, outer.Name, AccessibilityText(outer.DeclaredAccessibility)));
        }

        return types.ToEquatableArray();
    }

    private static string AccessibilityText(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Public => "public",
        Accessibility.Private => "private",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedOrInternal => "protected internal",
        Accessibility.ProtectedAndInternal => "private protected",
        _ => "internal",
    };

    /// <summary>Internal, unless the type is less accessible than that (a generated class may not expose a less accessible type).</summary>
    private static string HelperAccessibility(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Private => "private",
        Accessibility.Protected or Accessibility.ProtectedAndInternal => "private protected",
        _ => "internal",
    };
}
