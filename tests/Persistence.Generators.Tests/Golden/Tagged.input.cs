namespace Persistence.Generators.Tests.Golden.Tagged;

/// <summary>Every member tagged 1 to 5: written as an array, the key-held Id's position as nil.</summary>
[Collection("readings")]
public sealed partial class Reading
{
    /// <summary>The primary key, held by the key: nil at position 0.</summary>
    [PrimaryKey]
    [Field(1)]
    public long Id { get; init; }

    /// <summary>Indexed.</summary>
    [Index]
    [Field(2)]
    public string Sensor { get; set; } = "";

    /// <summary>A measured value.</summary>
    [Field(3)]
    public double Value { get; set; }

    /// <summary>When.</summary>
    [Field(4)]
    public DateTime At { get; set; }

    /// <summary>An embedded object whose members are tagged too: an array inside the array.</summary>
    [Field(5)]
    public Position? Where { get; set; }
}

/// <summary>Tagged 1 and 2: an array.</summary>
[Embedded]
public sealed partial class Position
{
    /// <summary>Latitude.</summary>
    [Field(1)]
    public double Lat { get; set; }

    /// <summary>Longitude.</summary>
    [Field(2)]
    public double Lon { get; set; }
}
