using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Persistence.Generators.Parsing;

/// <content>Which members are stored, with what shape and tag.</content>
internal sealed partial class TypeParser
{
    /// <summary>
    /// Public instance properties (with a public getter) and public fields, base types first, in declaration order;
    /// an override or a hiding member takes the place of the base member of the same name.
    /// </summary>
    private void CollectMembers()
    {
        var chain = new List<INamedTypeSymbol>();
        for (var type = _type; type is not null && type.SpecialType != SpecialType.System_Object; type = type.BaseType)
        {
            chain.Insert(0, type);
        }

        var positions = new Dictionary<string, int>();
        var candidates = new List<(ISymbol Symbol, ITypeSymbol Type)>();
        foreach (var type in chain)
        {
            foreach (var symbol in type.GetMembers())
            {
                ITypeSymbol? memberType = symbol switch
                {
                    IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public, GetMethod.DeclaredAccessibility: Accessibility.Public } p => p.Type,
                    IFieldSymbol { IsStatic: false, IsConst: false, DeclaredAccessibility: Accessibility.Public } f => f.Type,
                    _ => null,
                };
                if (symbol.IsImplicitlyDeclared)
                {
                    continue;
                }

                if (memberType is null)
                {
                    WarnAttributesOnUnstoredMember(symbol);
                    continue;
                }

                if (positions.TryGetValue(symbol.Name, out var position))
                {
                    CheckHidden(symbol, candidates[position].Symbol);
                    candidates[position] = (symbol, memberType);
                }
                else
                {
                    positions[symbol.Name] = candidates.Count;
                    candidates.Add((symbol, memberType));
                }
            }
        }

        foreach (var (symbol, type) in candidates)
        {
            Consider(new StoredMember(symbol, type, _members.Count + _ignored.Count + _unsupported.Count));
        }
    }

    /// <summary>
    /// A member that hides (rather than overrides) a base member of its name takes its place in the document, which
    /// holds one member of each name; the base member's own state (a field, or an auto-property's backing field) would
    /// be silently lost, unless it is [Ignore]d. A hidden computed property loses nothing, and neither does a hiding
    /// property that reads and writes the hidden one (<see cref="PassesOn"/>).
    /// </summary>
    private void CheckHidden(ISymbol member, ISymbol hidden)
    {
        if (member is IPropertySymbol { IsOverride: true } || !HoldsState(hidden) || hidden.Has(AttributeNames.Ignore) || PassesOn(member))
        {
            return;
        }

        Report(ProblemCatalog.HiddenMemberNotStored, member.Locations.Length > 0 ? member.Locations[0] : TypeLocation, member.Name, hidden.ContainingType.Name);
    }

    /// <summary>
    /// A property whose get accessor and set (or init) accessor both use <c>base.Name</c>, the member it hides: what it
    /// stores is read from that member's state and written back to it, so the state is stored through it (a hiding
    /// property that narrows the type, or that normalizes what it is given).
    /// </summary>
    private bool PassesOn(ISymbol member) =>
        member is IPropertySymbol { GetMethod: { } getter, SetMethod: { } setter }
        && UsesBase(getter, member.Name) && UsesBase(setter, member.Name);

    private bool UsesBase(IMethodSymbol accessor, string name) =>
        accessor.DeclaringSyntaxReferences.Any(reference => reference.GetSyntax(_cancellationToken).DescendantNodes()
            .OfType<MemberAccessExpressionSyntax>().Any(access => access.Expression is BaseExpressionSyntax && access.Name.Identifier.ValueText == name));

    /// <summary>A field, or a property with a backing field (an auto-property): state that would be lost if not stored.</summary>
    private static bool HoldsState(ISymbol symbol) => symbol switch
    {
        IFieldSymbol => true,
        IPropertySymbol property => property.ContainingType.GetMembers().OfType<IFieldSymbol>()
            .Any(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property)),
        _ => false,
    };

    /// <summary>A key, index, tag or expiry attribute on a member that is never stored (not public, static, an indexer) would silently do nothing.</summary>
    private void WarnAttributesOnUnstoredMember(ISymbol symbol)
    {
        if (symbol is not (IPropertySymbol or IFieldSymbol))
        {
            return;
        }

        foreach (var name in new[] { AttributeNames.PrimaryKey, AttributeNames.Index, AttributeNames.Field, AttributeNames.ExpiresAt })
        {
            foreach (var attribute in symbol.Named(name))
            {
                Report(ProblemCatalog.AttributeOnUnstoredMember, AttributeLocation(attribute), ShortName(name), symbol.Name);
            }
        }
    }

    private void Consider(StoredMember member)
    {
        var symbol = member.Symbol;
        if (symbol.Has(AttributeNames.Ignore))
        {
            _ignored[member.Name] = symbol;
            foreach (var used in new[] { AttributeNames.PrimaryKey, AttributeNames.Field, AttributeNames.ExpiresAt, AttributeNames.Index })
            {
                if (symbol.Find(used) is { } attribute)
                {
                    Report(ProblemCatalog.IgnoredMemberUsed, AttributeLocation(attribute), member.Name, "[" + ShortName(used) + "]");
                }
            }

            return;
        }

        member.Shape = ShapeResolver.Resolve(member.Type, _type.ContainingAssembly, out var reason);
        if (member.Shape is null)
        {
            _unsupported[member.Name] = symbol;
            Report(ProblemCatalog.UnsupportedMemberType, member.Location, member.Name, member.Type.ToDisplayString(), reason);
            return;
        }

        switch (symbol)
        {
            case IPropertySymbol property:
                var setter = property.SetMethod;
                var accessible = setter is not null && IsAccessible(setter.DeclaredAccessibility);
                member.CanSet = accessible && !setter!.IsInitOnly;
                member.IsInitOnly = accessible && setter!.IsInitOnly;
                member.IsRequired = property.IsRequired;
                member.HoldsState = HoldsState(property);
                break;
            case IFieldSymbol field:
                member.CanSet = !field.IsReadOnly;
                member.IsRequired = field.IsRequired;
                member.HoldsState = true;
                break;
        }

        if (symbol.Find(AttributeNames.Field) is { } tagAttribute && tagAttribute.ConstructorArguments.FirstOrDefault().Value is int tag)
        {
            member.Tag = tag;
        }

        _members.Add(member);
    }

    private static bool IsAccessible(Accessibility accessibility) =>
        accessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal;

    private static string ShortName(string attribute) => attribute.Substring(attribute.LastIndexOf('.') + 1).Replace("Attribute", "");

    private StoredMember? Find(string name) => _members.FirstOrDefault(m => m.Name == name);

    /// <summary>Decides how each member gets its value; a member that cannot get one is not stored.</summary>
    private void AssignMembers(IMethodSymbol? constructor)
    {
        var bound = new HashSet<string>(constructor?.Parameters.Select(p => Bind(p)!.Name) ?? []);
        foreach (var member in _members)
        {
            if (bound.Contains(member.Name))
            {
                member.Assignment = Model.MemberAssignment.Constructor;
            }
            else if (member.IsRequired || member.IsInitOnly)
            {
                member.Assignment = Model.MemberAssignment.Initializer;
            }
            else if (member.CanSet)
            {
                member.Assignment = Model.MemberAssignment.Setter;
            }
            else if (member.HoldsState)
            {
                Report(ProblemCatalog.MemberNotStored, member.Location, member.Name);
            }
        }

        _unassigned.AddRange(_members.Where(m => m.Assignment is null));
        _members.RemoveAll(m => m.Assignment is null);
    }

    private void CheckTags()
    {
        var byTag = new Dictionary<int, StoredMember>();
        foreach (var member in _members.Where(m => m.Tag != 0 || m.Symbol.Has(AttributeNames.Field)))
        {
            var location = member.Symbol.Find(AttributeNames.Field) is { } attribute ? AttributeLocation(attribute) : member.Location;
            var text = member.Tag.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (member.Tag is < 1 or > 65535)
            {
                Report(ProblemCatalog.TagOutOfRange, location, text, member.Name);
            }
            else if (byTag.TryGetValue(member.Tag, out var first))
            {
                Report(ProblemCatalog.DuplicateTag, location, text, first.Name, member.Name);
            }
            else
            {
                byTag[member.Tag] = member;
            }
        }
    }
}
