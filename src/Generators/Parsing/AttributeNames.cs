using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Persistence.Generators.Parsing;

/// <summary>The runtime's attributes, by metadata name; the parser recognizes them by name, without the compilation.</summary>
internal static class AttributeNames
{
    public const string Collection = "Persistence.CollectionAttribute";
    public const string Embedded = "Persistence.EmbeddedAttribute";
    public const string PrimaryKey = "Persistence.PrimaryKeyAttribute";
    public const string Index = "Persistence.IndexAttribute";
    public const string Field = "Persistence.FieldAttribute";
    public const string Ignore = "Persistence.IgnoreAttribute";
    public const string ExpiresAt = "Persistence.ExpiresAtAttribute";
    public const string SetsRequiredMembers = "System.Diagnostics.CodeAnalysis.SetsRequiredMembersAttribute";

    public static IEnumerable<AttributeData> Named(this ISymbol symbol, string metadataName) =>
        symbol.GetAttributes().Where(a => a.AttributeClass?.ToDisplayString() == metadataName);

    public static AttributeData? Find(this ISymbol symbol, string metadataName) => symbol.Named(metadataName).FirstOrDefault();

    public static bool Has(this ISymbol symbol, string metadataName) => symbol.Find(metadataName) is not null;

    /// <summary>The value of a named argument (<c>Unique = true</c>), or <paramref name="fallback"/>.</summary>
    public static T NamedArgument<T>(this AttributeData attribute, string name, T fallback)
    {
        foreach (var pair in attribute.NamedArguments)
        {
            if (pair.Key == name && pair.Value.Value is T value)
            {
                return value;
            }
        }

        return fallback;
    }
}
