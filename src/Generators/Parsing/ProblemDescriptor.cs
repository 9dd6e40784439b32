using Microsoft.CodeAnalysis;

namespace Persistence.Generators.Parsing;

/// <summary>One entry of <see cref="ProblemCatalog"/>: everything an analyzer needs to build its DiagnosticDescriptor.</summary>
internal sealed record ProblemDescriptor(string Id, DiagnosticSeverity Severity, string Title, string MessageFormat, int ArgumentCount);
