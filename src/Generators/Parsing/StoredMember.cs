using Microsoft.CodeAnalysis;
using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Parsing;

/// <summary>A member candidate while the parser works on it; never leaves the parser (it holds the symbol).</summary>
internal sealed class StoredMember(ISymbol symbol, ITypeSymbol type, int position)
{
    public ISymbol Symbol { get; } = symbol;

    public string Name => Symbol.Name;

    public ITypeSymbol Type { get; } = type;

    /// <summary>Declaration position, base members first.</summary>
    public int Position { get; } = position;

    public ValueShape? Shape { get; set; }

    public int Tag { get; set; }

    /// <summary>Settable after construction by the generated code (an accessible set accessor, or a mutable field).</summary>
    public bool CanSet { get; set; }

    /// <summary>Has an accessible init accessor.</summary>
    public bool IsInitOnly { get; set; }

    public bool IsRequired { get; set; }

    /// <summary>An auto-property or field: state that would be lost if not stored (as opposed to a computed property).</summary>
    public bool HoldsState { get; set; }

    public MemberAssignment? Assignment { get; set; }

    public Location? Location => Symbol.Locations.Length > 0 ? Symbol.Locations[0] : null;
}
