namespace Persistence.Tests.Collections;

/// <summary>
/// A document type with a composite primary key (Order, No), for the query review tests. The source generator emits
/// its collection, fields and schema.
/// </summary>
[Collection("lines")]
public sealed partial class Line
{
    [PrimaryKey(Order = 0)]
    public int Order { get; init; }

    [PrimaryKey(Order = 1)]
    public int No { get; init; }

    public string Note { get; set; } = "";
}
