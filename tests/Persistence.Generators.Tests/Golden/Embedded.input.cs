namespace Persistence.Generators.Tests.Golden.Embedded;

/// <summary>An embedded positional record.</summary>
/// <param name="Street">Street.</param>
/// <param name="City">City.</param>
[Embedded]
public partial record Address(string Street, string City)
{
    /// <summary>A nested embedded object.</summary>
    public Geo? Location { get; init; }
}

/// <summary>An embedded class.</summary>
[Embedded]
public partial class Geo
{
    /// <summary>Latitude.</summary>
    public double Latitude { get; set; }

    /// <summary>Longitude.</summary>
    public double Longitude { get; set; }
}

/// <summary>A recursive embedded type: a tree is stored (a cycle is not).</summary>
[Embedded]
public partial class TreeNode
{
    /// <summary>Name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Children.</summary>
    public List<TreeNode> Children { get; set; } = [];
}

/// <summary>A document holding embedded objects directly, in a list and in a dictionary.</summary>
[Collection("customers")]
public partial class Customer
{
    /// <summary>Key.</summary>
    [PrimaryKey]
    public int Id { get; init; }

    /// <summary>Nullable embedded.</summary>
    public Address? Home { get; set; }

    /// <summary>Embedded in a list.</summary>
    public List<Address> Addresses { get; set; } = [];

    /// <summary>Embedded in a dictionary.</summary>
    public Dictionary<string, Address> ByLabel { get; set; } = [];

    /// <summary>A tree.</summary>
    public TreeNode? Tree { get; set; }
}
