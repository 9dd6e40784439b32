using System;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Persistence.Generators.Parsing;

/// <content>The constructor the deserializer calls.</content>
internal sealed partial class TypeParser
{
    /// <summary>
    /// The parameterless constructor if there is an accessible one; otherwise the accessible constructor with the
    /// most parameters that all match stored members by name (ignoring case) and type, such as a positional
    /// record's. Returns null (and reports why) when there is none.
    /// </summary>
    private IMethodSymbol? ChooseConstructor()
    {
        if (_type.IsAbstract || _type.IsStatic)
        {
            Report(ProblemCatalog.NoUsableConstructor, TypeLocation, _type.Name, _type.IsStatic ? "it is static" : "it is abstract");
            return null;
        }

        var accessible = _type.InstanceConstructors.Where(c => IsAccessible(c.DeclaredAccessibility) && !IsCopyConstructor(c)).ToList();
        var chosen = accessible.FirstOrDefault(c => c.Parameters.Length == 0);
        if (chosen is null)
        {
            var candidates = accessible.Where(c => c.Parameters.All(p => Bind(p) is not null)).OrderByDescending(c => c.Parameters.Length).ToList();
            if (candidates.Count == 0)
            {
                Report(ProblemCatalog.NoUsableConstructor, TypeLocation, _type.Name, accessible.Count == 0
                    ? "it has no public or internal constructor"
                    : "every constructor has a parameter that matches no stored member by name and type; add a parameterless constructor");
                return null;
            }

            if (candidates.Count > 1 && candidates[1].Parameters.Length == candidates[0].Parameters.Length)
            {
                Report(ProblemCatalog.NoUsableConstructor, TypeLocation, _type.Name,
                    "several constructors with the same number of parameters match stored members; add a parameterless constructor");
                return null;
            }

            chosen = candidates[0];
        }

        if (!chosen.Has(AttributeNames.SetsRequiredMembers))
        {
            foreach (var name in _ignored.Keys.Concat(_unsupported.Keys).Where(IsRequired))
            {
                Report(ProblemCatalog.NoUsableConstructor, TypeLocation, _type.Name, $"the required member '{name}' is not stored, so the generated code cannot set it");
            }
        }

        return chosen;
    }

    /// <summary>True when the type or a base type declares a required member of that name (required members are inherited).</summary>
    private bool IsRequired(string name)
    {
        for (var type = _type; type is not null; type = type.BaseType)
        {
            if (type.GetMembers(name).Any(m => m is IPropertySymbol { IsRequired: true } or IFieldSymbol { IsRequired: true }))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsCopyConstructor(IMethodSymbol constructor) =>
        _type.IsRecord && constructor.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(constructor.Parameters[0].Type, _type);

    /// <summary>
    /// The stored member a constructor parameter sets, or null: among the members of its type whose names differ from
    /// the parameter's in case at most, the one of its exact name, else the one it names in Pascal case (<c>Id</c> for
    /// <c>id</c>, <c>ID</c> for <c>iD</c>), else the only one. A parameter matching several members otherwise binds
    /// none, since a guess would store one member's value as the other's.
    /// </summary>
    private StoredMember? Bind(IParameterSymbol parameter)
    {
        if (parameter.RefKind != RefKind.None || parameter.IsParams)
        {
            return null;
        }

        var matches = _members.Where(m => string.Equals(m.Name, parameter.Name, StringComparison.OrdinalIgnoreCase)
            && SymbolEqualityComparer.Default.Equals(m.Type, parameter.Type)).ToList();
        var pascal = char.ToUpperInvariant(parameter.Name[0]) + parameter.Name.Substring(1);
        return matches.FirstOrDefault(m => m.Name == parameter.Name)
            ?? matches.FirstOrDefault(m => m.Name == pascal)
            ?? (matches.Count == 1 ? matches[0] : null);
    }
}
