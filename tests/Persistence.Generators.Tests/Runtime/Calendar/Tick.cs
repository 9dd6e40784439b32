namespace Persistence.Generators.Tests.Runtime.Calendar;

/// <summary>A DateTime primary key, and an index.</summary>
[Collection("ticks")]
public sealed partial class Tick
{
    [PrimaryKey]
    public DateTime At { get; init; }

    [Index]
    public string Sensor { get; set; } = "";

    public int Value { get; set; }
}
