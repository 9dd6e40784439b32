namespace Persistence.Generators.Tests.Runtime.Evolution.V1;

/// <summary>Version 1 of a document type; <see cref="V2.Contact"/> is the next version of the same collection.</summary>
[Collection("contacts")]
public partial class Contact
{
    [PrimaryKey]
    [Field(1)]
    public int Id { get; init; }

    [Field(2)]
    public string FullName { get; set; } = "";

    public string Removed { get; set; } = "";

    public int Kept { get; set; }

    public Address? Home { get; set; }
}

[Embedded]
public partial class Address
{
    public string City { get; set; } = "";

    public string Zip { get; set; } = "";
}
