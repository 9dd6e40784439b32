namespace Persistence.Generators.Parsing.Model;

/// <summary>A stored member of a collection or embedded type.</summary>
/// <param name="Name">The member name, which is also its key in the document unless it has a tag.</param>
/// <param name="Shape">Its value shape.</param>
/// <param name="Tag">The [Field] tag, or 0: a tagged member is stored under the integer tag instead of its name.</param>
/// <param name="Assignment">How the deserializer sets it.</param>
internal sealed record MemberModel(string Name, ValueShape Shape, int Tag, MemberAssignment Assignment);
