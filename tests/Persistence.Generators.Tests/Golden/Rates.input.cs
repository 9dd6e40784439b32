namespace Persistence.Generators.Tests.Golden.Rates;

/// <summary>
/// A composite key of parts the key does not hold exactly (a decimal, a double): every member is read from the stored
/// map, and the key is only skipped part by part and checked to its end.
/// </summary>
[Collection("rates")]
public partial class Rate
{
    /// <summary>First key part: the key normalizes its scale.</summary>
    [PrimaryKey(Order = 0)]
    public decimal Amount { get; init; }

    /// <summary>Second key part: the key makes -0.0 into +0.0.</summary>
    [PrimaryKey(Order = 1)]
    public double Factor { get; init; }

    /// <summary>Not in the key.</summary>
    public string Label { get; set; } = "";
}
