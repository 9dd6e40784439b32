namespace Persistence.Generators.Tests.Runtime.Evolution.V2;

/// <summary>
/// Version 2 of <see cref="V1.Contact"/>: FullName renamed to DisplayName (same tag), Removed removed, members added
/// (with initializers, init-only, nullable), and the embedded Address changed the same ways.
/// </summary>
[Collection("contacts")]
public partial class Contact
{
    [PrimaryKey]
    [Field(1)]
    public int Id { get; init; }

    [Field(2)]
    public string DisplayName { get; set; } = "";

    public int Kept { get; set; }

    public Address? Home { get; set; }

    public string Added { get; set; } = "initial";

    public List<int> AddedList { get; set; } = [7];

    public string AddedInit { get; init; } = "ignored";

    public int? AddedNullable { get; set; } = 5;
}

[Embedded]
public partial class Address
{
    [Field(9)]
    public string Country { get; set; } = "NL";

    public string City { get; set; } = "";
}
