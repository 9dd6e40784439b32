namespace Persistence.Generators.Parsing.Model;

/// <summary>A type that the generated code is nested in, as its partial declaration spells it ("partial record Outer").</summary>
/// <param name="Keyword">"class", "record", "struct", "record struct" or "interface".</param>
/// <param name="Name">The type name.</param>
/// <param name="Accessibility">Its declared accessibility ("public", "internal", "private", ...).</param>
internal sealed record ContainingType(string Keyword, string Name, string Accessibility);
