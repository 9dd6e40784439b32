using Microsoft.CodeAnalysis;
using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Parsing;

/// <summary>
/// Turns a member's type into a <see cref="ValueShape"/>, or says why the serializer cannot handle it. Type names
/// are built from the shapes rather than displayed by Roslyn, so that a collection's type and its element's type
/// always agree on nullable annotations (an oblivious <c>List&lt;string&gt;</c> becomes <c>List&lt;string?&gt;?</c>).
/// </summary>
internal static class ShapeResolver
{
    private const string Generic = "global::System.Collections.Generic.";

    /// <summary>The shape of <paramref name="type"/>, or null with <paramref name="reason"/> set.</summary>
    /// <param name="owner">The assembly being compiled: embedded types must be declared in it to have a serializer there.</param>
    public static ValueShape? Resolve(ITypeSymbol type, IAssemblySymbol owner, out string reason)
    {
        reason = "";
        var nullableReference = type.IsReferenceType && type.NullableAnnotation != NullableAnnotation.NotAnnotated;
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            var inner = Resolve(nullable.TypeArguments[0], owner, out reason);
            return inner is null ? null : new ValueShape(ValueKind.Nullable, inner.TypeName + "?", true, inner, null);
        }

        if (Scalar(type) is { } scalar)
        {
            return scalar.Kind == ValueKind.String ? Annotate(scalar, nullableReference) : scalar;
        }

        if (type is IArrayTypeSymbol array)
        {
            if (array.Rank != 1)
            {
                reason = "multidimensional arrays are not supported; use an array of arrays";
                return null;
            }

            if (array.ElementType.SpecialType == SpecialType.System_Byte)
            {
                return Annotate(new ValueShape(ValueKind.Bytes, "byte[]", false, null, null), nullableReference);
            }

            var element = Resolve(array.ElementType, owner, out reason);
            return element is null ? null : Annotate(new ValueShape(ValueKind.Array, element.TypeName + "[]", false, element, null), nullableReference);
        }

        if (type.TypeKind == TypeKind.Enum && type is INamedTypeSymbol { EnumUnderlyingType: { } underlying })
        {
            return new ValueShape(ValueKind.Enum, FullName(type), false, Scalar(underlying), null);
        }

        if (type is INamedTypeSymbol { IsGenericType: true } generic)
        {
            return Collection(generic, owner, nullableReference, out reason);
        }

        if (type.TypeKind == TypeKind.Class && type.Has(AttributeNames.Embedded))
        {
            if (!SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, owner))
            {
                reason = "an [Embedded] type from another assembly has no serializer in this one";
                return null;
            }

            var serializer = ScopePrefix(type) + type.Name + "Serializer";
            return Annotate(new ValueShape(ValueKind.Embedded, FullName(type), false, null, serializer), nullableReference);
        }

        reason = type.TypeKind == TypeKind.Class ? "a class must be marked [Embedded] to be stored inside a document" : "the type is not supported";
        return null;
    }

    /// <summary>The <c>global::</c>-qualified name of the scope a type is declared in, with a trailing dot.</summary>
    public static string ScopePrefix(ITypeSymbol type) =>
        type.ContainingType is { } outer
            ? FullName(outer) + "."
            : type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." : "global::";

    public static string FullName(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    private static ValueShape? Collection(INamedTypeSymbol type, IAssemblySymbol owner, bool nullableReference, out string reason)
    {
        reason = "";
        var definition = type.OriginalDefinition.ToDisplayString();
        switch (definition)
        {
            case "System.Collections.Generic.List<T>":
            case "System.Collections.Generic.IList<T>":
            case "System.Collections.Generic.IReadOnlyList<T>":
            {
                var element = Resolve(type.TypeArguments[0], owner, out reason);
                if (element is null)
                {
                    return null;
                }

                var name = Generic + type.Name + "<" + element.TypeName + ">";
                return Annotate(new ValueShape(ValueKind.List, name, false, element, null), nullableReference);
            }

            case "System.Collections.Generic.Dictionary<TKey, TValue>":
            case "System.Collections.Generic.IDictionary<TKey, TValue>":
            case "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>":
            {
                var key = type.TypeArguments[0];
                if (key.SpecialType != SpecialType.System_String || key.NullableAnnotation == NullableAnnotation.Annotated)
                {
                    reason = "dictionary keys must be non-nullable strings";
                    return null;
                }

                var value = Resolve(type.TypeArguments[1], owner, out reason);
                if (value is null)
                {
                    return null;
                }

                var name = Generic + type.Name + "<string, " + value.TypeName + ">";
                return Annotate(new ValueShape(ValueKind.Dictionary, name, false, value, null), nullableReference);
            }

            default:
                reason = "the generic type is not supported; use T[], List<T>, IList<T>, IReadOnlyList<T> or a Dictionary<string, T>";
                return null;
        }
    }

    private static ValueShape Annotate(ValueShape shape, bool nullable) =>
        nullable ? shape with { TypeName = shape.TypeName + "?", IsNullable = true } : shape;

    private static ValueShape? Scalar(ITypeSymbol type)
    {
        var kind = type.SpecialType switch
        {
            SpecialType.System_Boolean => ValueKind.Boolean,
            SpecialType.System_SByte => ValueKind.SByte,
            SpecialType.System_Byte => ValueKind.Byte,
            SpecialType.System_Int16 => ValueKind.Int16,
            SpecialType.System_UInt16 => ValueKind.UInt16,
            SpecialType.System_Int32 => ValueKind.Int32,
            SpecialType.System_UInt32 => ValueKind.UInt32,
            SpecialType.System_Int64 => ValueKind.Int64,
            SpecialType.System_UInt64 => ValueKind.UInt64,
            SpecialType.System_Single => ValueKind.Single,
            SpecialType.System_Double => ValueKind.Double,
            SpecialType.System_Decimal => ValueKind.Decimal,
            SpecialType.System_Char => ValueKind.Char,
            SpecialType.System_String => ValueKind.String,
            SpecialType.System_DateTime => ValueKind.DateTime,
            _ => (ValueKind?)null,
        } ?? SystemStruct(type);
        return kind is { } k ? new ValueShape(k, KindNames.TypeName(k), false, null, null) : null;
    }

    private static ValueKind? SystemStruct(ITypeSymbol type)
    {
        if (type.ContainingNamespace?.ToDisplayString() != "System" || type.ContainingType is not null || type.TypeKind != TypeKind.Struct)
        {
            return null;
        }

        return type.Name switch
        {
            "Guid" => ValueKind.Guid,
            "DateTimeOffset" => ValueKind.DateTimeOffset,
            "TimeSpan" => ValueKind.TimeSpan,
            "DateOnly" => ValueKind.DateOnly,
            "TimeOnly" => ValueKind.TimeOnly,
            _ => null,
        };
    }

    /// <summary>True when values of the shape can be written as key parts (nullable forms included).</summary>
    public static bool IsKeyEncodable(ValueShape shape) =>
        shape.Underlying.Kind is not (ValueKind.Array or ValueKind.List or ValueKind.Dictionary or ValueKind.Embedded or ValueKind.Nullable);

    /// <summary>True for the types an [ExpiresAt] member may have.</summary>
    public static bool IsExpiry(ValueShape shape) => shape.Underlying.Kind is ValueKind.DateTime or ValueKind.DateTimeOffset;
}
