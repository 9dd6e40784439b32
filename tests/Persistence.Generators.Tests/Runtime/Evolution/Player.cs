namespace Persistence.Generators.Tests.Runtime.Evolution.PlayerV1
{
    /// <summary>An indexed int Level.</summary>
    [Collection("players")]
    public sealed partial class Player
    {
        [PrimaryKey]
        public long Id { get; init; }

        [Index]
        public int Level { get; set; }
    }
}

namespace Persistence.Generators.Tests.Runtime.Evolution.PlayerV2
{
    /// <summary>Level becomes a double: documents still read (an integer reads as the double of equal value), but the key encoding differs.</summary>
    [Collection("players")]
    public sealed partial class Player
    {
        [PrimaryKey]
        public long Id { get; init; }

        [Index]
        public double Level { get; set; }
    }
}

namespace Persistence.Generators.Tests.Runtime.Evolution.PlayerV3
{
    /// <summary>Level becomes a long: the key encoding of an int.</summary>
    [Collection("players")]
    public sealed partial class Player
    {
        [PrimaryKey]
        public long Id { get; init; }

        [Index]
        public long Level { get; set; }
    }
}

namespace Persistence.Generators.Tests.Runtime.Evolution.PlayerV4
{
    /// <summary>Level becomes an enum over int: keyed as its underlying integer, so as an int.</summary>
    [Collection("players")]
    public sealed partial class Player
    {
        [PrimaryKey]
        public long Id { get; init; }

        [Index]
        public Tier Level { get; set; }
    }

    public enum Tier
    {
        Bronze,
        Silver,
        Gold,
    }
}

namespace Persistence.Generators.Tests.Runtime.Evolution.PlayerV5
{
    /// <summary>The primary key becomes a Guid: the documents stay under keys of the long encoding.</summary>
    [Collection("players")]
    public sealed partial class Player
    {
        [PrimaryKey]
        public System.Guid Id { get; init; }

        [Index]
        public int Level { get; set; }
    }
}
