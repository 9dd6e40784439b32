namespace Persistence.Generators.Parsing.Model;

/// <summary>How the generated deserializer gives a member its value.</summary>
internal enum MemberAssignment
{
    /// <summary>Assigned after construction, and only when the document has it: a missing member keeps its initializer.</summary>
    Setter,

    /// <summary>Set in the object initializer (init-only or required members): always assigned.</summary>
    Initializer,

    /// <summary>Passed to the constructor (positional records, or a constructor whose parameters match members).</summary>
    Constructor,
}
