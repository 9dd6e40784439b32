namespace Persistence.Generators.Tests.Runtime.Evolution.GaugeV1
{
    /// <summary>Tags 1 to 3: an array.</summary>
    [Collection("gauges")]
    public sealed partial class Gauge
    {
        [PrimaryKey]
        [Field(1)]
        public int Id { get; init; }

        [Field(2)]
        public string Name { get; set; } = "";

        [Field(3)]
        public int Level { get; set; } = -1;
    }
}

namespace Persistence.Generators.Tests.Runtime.Evolution.GaugeV2
{
    /// <summary>Adds tag 4: still an array, one element longer.</summary>
    [Collection("gauges")]
    public sealed partial class Gauge
    {
        [PrimaryKey]
        [Field(1)]
        public int Id { get; init; }

        [Field(2)]
        public string Name { get; set; } = "";

        [Field(3)]
        public int Level { get; set; } = -1;

        [Field(4)]
        public string Unit { get; set; } = "kPa";
    }
}

namespace Persistence.Generators.Tests.Runtime.Evolution.GaugeV3
{
    /// <summary>Removes tag 3: the tags leave a gap, so the type falls back to the map.</summary>
    [Collection("gauges")]
    public sealed partial class Gauge
    {
        [PrimaryKey]
        [Field(1)]
        public int Id { get; init; }

        [Field(2)]
        public string Name { get; set; } = "";

        [Field(4)]
        public string Unit { get; set; } = "kPa";
    }
}

namespace Persistence.Generators.Tests.Runtime.Evolution.GaugeV4
{
    /// <summary>Only the key-held Id is tagged: a map, whose reader skips every element of an array.</summary>
    [Collection("gauges")]
    public sealed partial class Gauge
    {
        [PrimaryKey]
        [Field(1)]
        public int Id { get; init; }

        public string Name { get; set; } = "unnamed";
    }
}
