using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Parsing;

/// <content>The collection name, primary key and expiry member of a [Collection] type.</content>
internal sealed partial class TypeParser
{
    private const int MaxCollectionName = 200;

    private CollectionModel? ParseCollection()
    {
        var attribute = _type.Find(AttributeNames.Collection);
        var name = attribute?.ConstructorArguments.FirstOrDefault().Value as string ?? "";
        if (!IsValidCollectionName(name))
        {
            Report(ProblemCatalog.InvalidCollectionName, attribute is null ? TypeLocation : AttributeLocation(attribute), name);
        }

        var key = ParseKey();
        CheckGeneratedTypeNames(key);
        CheckGeneratedTypesFree(_type.Name + "Collection", _type.Name + "Fields", _type.Name + "Schema", key?.CompositeName);
        var indexes = ParseIndexes(key);
        var expiresAt = ParseExpiresAt();
        return key is null ? null : new CollectionModel(name, key, indexes.ToEquatableArray(), expiresAt);
    }

    /// <summary>The rule the runtime enforces when it opens the collection: 1 to 200 ASCII letters, digits, '_', '-' or '.'.</summary>
    public static bool IsValidCollectionName(string name) =>
        name.Length is > 0 and <= MaxCollectionName && name.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-' or '.');

    private KeyModel? ParseKey()
    {
        var keys = _members
            .Select((member, position) => (Member: member, Position: position, Attribute: member.Symbol.Find(AttributeNames.PrimaryKey)))
            .Where(k => k.Attribute is not null)
            .Select(k => (k.Member, Order: k.Attribute!.NamedArgument("Order", 0), k.Position))
            .OrderBy(k => k.Order).ThenBy(k => k.Position)
            .ToList();
        if (keys.Count == 0)
        {
            Report(ProblemCatalog.NoPrimaryKey, TypeLocation, _type.Name, WhyNoKey());
            return null;
        }

        for (var i = 1; i < keys.Count; i++)
        {
            if (keys[i].Order == keys[i - 1].Order)
            {
                Report(ProblemCatalog.UnorderedKeys, keys[i].Member.Location, keys[i - 1].Member.Name, keys[i].Member.Name,
                    keys[i].Order.ToString(CultureInfo.InvariantCulture));
            }
        }

        foreach (var (member, _, _) in keys)
        {
            if (member.Shape!.IsNullable || !ShapeResolver.IsKeyEncodable(member.Shape))
            {
                Report(ProblemCatalog.UnsupportedKeyType, member.Location, member.Name, member.Type.ToDisplayString(), WhyNotKey(member));
            }

            if (member.Assignment == MemberAssignment.Setter || (member.CanSet && member.Assignment == MemberAssignment.Initializer))
            {
                Report(ProblemCatalog.MutableKey, member.Location, member.Name);
            }
        }

        var names = keys.Select(k => k.Member.Name).ToEquatableArray();
        if (keys.Count == 1)
        {
            return new KeyModel(names, null, keys[0].Member.Shape!.TypeName);
        }

        var composite = _type.Name + "Key";
        return new KeyModel(names, composite, ShapeResolver.ScopePrefix(_type) + composite);
    }

    /// <summary>
    /// The end of PST0005's message: what to do, naming the [PrimaryKey] member that is there but does not count (one
    /// the generated code cannot set, or one an override without the attribute stores in its place).
    /// </summary>
    private string WhyNoKey()
    {
        if (_unassigned.FirstOrDefault(m => m.Symbol.Has(AttributeNames.PrimaryKey)) is { } unset)
        {
            return WhyNotStored(unset);
        }

        foreach (var member in _members)
        {
            for (var overridden = (member.Symbol as IPropertySymbol)?.OverriddenProperty; overridden is not null; overridden = overridden.OverriddenProperty)
            {
                if (overridden.Has(AttributeNames.PrimaryKey))
                {
                    return $"'{member.Name}' overrides a [PrimaryKey] member of '{overridden.ContainingType.Name}' without the attribute, which an override does not inherit: mark the override [PrimaryKey]";
                }
            }
        }

        return "mark a member with [PrimaryKey]";
    }

    /// <summary>
    /// Why a [PrimaryKey] member the generated code assigns no value to is not stored, by what it has: an accessor it
    /// cannot reach (named, with its accessibility), no set or init accessor at all, no state (a computed property), or
    /// readonly (a field).
    /// </summary>
    /// <remarks>
    /// A property of a base type in a referenced assembly shows its public and protected surface alone: a private or
    /// internal accessor is not imported, nor is an auto-property's backing field, so a private setter, a get-only auto-property
    /// and a computed property look alike there, and the message says only what can be seen.
    /// </remarks>
    private static string WhyNotStored(StoredMember member)
    {
        const string CannotSet = "is not stored, since the generated code cannot set it: ";
        var reason = member.Symbol switch
        {
            IPropertySymbol { SetMethod: { } accessor } =>
                $"{CannotSet}its {(accessor.IsInitOnly ? "init accessor" : "setter")} is {Named(accessor.DeclaredAccessibility)}; make it public or internal, or set the member through a constructor parameter",
            IPropertySymbol { DeclaringSyntaxReferences.IsEmpty: true } property =>
                $"{CannotSet}it is declared in the referenced assembly '{property.ContainingAssembly.Name}' with no setter or init accessor the generated code can reach (a private or internal one is not visible from here); make one public there, or set the member through a constructor parameter",
            IPropertySymbol when member.HoldsState =>
                $"{CannotSet}it is a get-only property, with no setter or init accessor; add a public or internal init accessor, or set the member through a constructor parameter",
            IPropertySymbol =>
                "is computed (a get accessor with no state of its own), so there is nothing to store: mark the member it is computed from [PrimaryKey], or make it an auto-property with an init accessor",
            _ => $"{CannotSet}it is a readonly field; set it through a constructor parameter",
        };
        return $"'{member.Name}' is marked [PrimaryKey] but {reason}";

        static string Named(Accessibility accessibility) => accessibility switch
        {
            Accessibility.Protected => "protected",
            Accessibility.ProtectedAndInternal => "private protected",
            _ => "private",
        };
    }

    /// <summary>
    /// The end of PST0007's message: what to use instead. A string or byte[] key where nullable annotations are
    /// disabled is refused too (oblivious, it is stored as nullable), and the list of key types, which names it, would
    /// not say why.
    /// </summary>
    private static string WhyNotKey(StoredMember member) =>
        member.Type is { IsReferenceType: true, NullableAnnotation: NullableAnnotation.None } && ShapeResolver.IsKeyEncodable(member.Shape!)
            ? $"declared where nullable annotations are disabled: a primary key must be non-nullable, and there the analyzer cannot know that the member is never null; declare it under #nullable enable (or #nullable enable annotations), where '{member.Type.ToDisplayString()}' without '?' is non-nullable"
            : "which cannot be a primary key: use a non-nullable bool, integer, char, enum, Guid, string, DateTime, DateTimeOffset, DateOnly, TimeOnly, TimeSpan, decimal, double, float or byte[]";

    /// <summary>
    /// The members of the record struct TKey that the compiler declares (and that object declares), which a positional
    /// parameter of the same name would clash with (CS0102, CS8866) or hide (CS0108).
    /// </summary>
    private static readonly string[] s_keyStructMembers = ["Equals", "GetHashCode", "ToString", "Deconstruct", "PrintMembers", "GetType", "MemberwiseClone", "ReferenceEquals"];

    /// <summary>
    /// The generated TFields class has a property for each member a key can encode, and the composite key struct TKey
    /// one for each key member, named as the members are: a member named TFields or TKey would give that type a member
    /// of its own name (CS0542), and a key member named like one of the record struct's own members clashes with it.
    /// </summary>
    private void CheckGeneratedTypeNames(KeyModel? key)
    {
        const string OwnName = "and a member may not be named like its type";
        var fields = _type.Name + "Fields";
        foreach (var member in _members)
        {
            if (member.Name == fields && ShapeResolver.IsKeyEncodable(member.Shape!))
            {
                Report(ProblemCatalog.MemberNamedLikeGeneratedType, member.Location, member.Name, fields, OwnName);
            }
            else if (key is { IsComposite: true } && key.Members.Contains(member.Name))
            {
                if (member.Name == key.CompositeName)
                {
                    Report(ProblemCatalog.MemberNamedLikeGeneratedType, member.Location, member.Name, key.CompositeName, OwnName);
                }
                else if (s_keyStructMembers.Contains(member.Name))
                {
                    Report(ProblemCatalog.MemberNamedLikeGeneratedType, member.Location, member.Name, key.CompositeName!,
                        "a record struct, which has a member of that name already");
                }
            }
        }
    }

    private string? ParseExpiresAt()
    {
        StoredMember? found = null;
        foreach (var member in _members.Where(m => m.Symbol.Has(AttributeNames.ExpiresAt)))
        {
            if (!ShapeResolver.IsExpiry(member.Shape!))
            {
                Report(ProblemCatalog.ExpiresAtType, member.Location, member.Name, member.Type.ToDisplayString());
            }
            else if (found is not null)
            {
                Report(ProblemCatalog.SeveralExpiresAt, member.Location, found.Name, member.Name);
            }
            else
            {
                found = member;
            }
        }

        return found?.Name;
    }

    private void WarnCollectionAttributesOnEmbedded()
    {
        var collectionOnly = new[] { AttributeNames.PrimaryKey, AttributeNames.Index, AttributeNames.ExpiresAt };
        foreach (var attribute in _type.Named(AttributeNames.Index))
        {
            Report(ProblemCatalog.NoEffectOnEmbedded, AttributeLocation(attribute), "Index", _type.Name, _type.Name);
        }

        foreach (var member in _members)
        {
            foreach (var name in collectionOnly)
            {
                foreach (var attribute in member.Symbol.Named(name))
                {
                    Report(ProblemCatalog.NoEffectOnEmbedded, AttributeLocation(attribute), ShortName(name), member.Name, _type.Name);
                }
            }
        }
    }

}
