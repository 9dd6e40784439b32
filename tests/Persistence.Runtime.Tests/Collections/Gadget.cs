namespace Persistence.Tests.Collections;

/// <summary>
/// A document type for the query review tests, with what <see cref="User"/> lacks: a nullable unique index, a nullable
/// non-unique index, an indexed DateTimeOffset, and no expiry (so Count can answer from index entries alone). The
/// source generator emits its collection, fields and schema.
/// </summary>
[Collection("gadgets")]
public sealed partial class Gadget
{
    [PrimaryKey]
    public long Id { get; init; }

    /// <summary>Unique index, nullable (documents with a null code have no entry).</summary>
    [Index(Unique = true)]
    public string? Code { get; set; }

    /// <summary>Non-unique index, nullable.</summary>
    [Index]
    public int? Rank { get; set; }

    /// <summary>Non-unique index.</summary>
    [Index]
    public DateTimeOffset When { get; set; }

    /// <summary>Not indexed.</summary>
    public string Label { get; set; } = "";
}
