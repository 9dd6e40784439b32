namespace Persistence.Generators.Parsing.Model;

/// <summary>A secondary index: its name (accessor By{Name}, keyspace collection#Name), uniqueness and members in key order.</summary>
internal sealed record IndexModel(string Name, bool Unique, EquatableArray<string> Members);
