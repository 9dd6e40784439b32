namespace Persistence.Generators.Tests.Runtime.Calendar
{
    /// <summary>DateOnly and TimeOnly members: indexed, nullable and in a list.</summary>
    [Collection("shifts")]
    public sealed partial class Shift
    {
        [PrimaryKey]
        public int Id { get; init; }

        [Index]
        public DateOnly Day { get; set; }

        [Index]
        public TimeOnly Start { get; set; }

        public DateOnly? Until { get; set; }

        [Index]
        public TimeOnly? End { get; set; }

        public List<DateOnly> Holidays { get; set; } = [];
    }

    /// <summary>A DateOnly primary key.</summary>
    [Collection("day-notes")]
    public sealed partial class DayNote
    {
        [PrimaryKey]
        public DateOnly Day { get; init; }

        public string Text { get; set; } = "";
    }
}

namespace Persistence.Generators.Tests.Runtime.Calendar.V1
{
    /// <summary>An appointment whose day was a DateTime.</summary>
    [Collection("appointments")]
    public sealed partial class Appointment
    {
        [PrimaryKey]
        [Field(1)]
        public int Id { get; init; }

        [Field(2)]
        public DateTime When { get; set; }
    }
}

namespace Persistence.Generators.Tests.Runtime.Calendar.V2
{
    /// <summary>The same appointment once its member became a DateOnly.</summary>
    [Collection("appointments")]
    public sealed partial class Appointment
    {
        [PrimaryKey]
        [Field(1)]
        public int Id { get; init; }

        [Field(2)]
        public DateOnly When { get; set; }
    }
}

namespace Persistence.Generators.Tests.Runtime.Calendar.V3
{
    /// <summary>The same appointments keyed by a string: a primary key of another encoding, and no index.</summary>
    [Collection("appointments")]
    public sealed partial class Appointment
    {
        [PrimaryKey]
        [Field(1)]
        public string Id { get; init; } = "";

        [Field(2)]
        public DateOnly When { get; set; }
    }
}
