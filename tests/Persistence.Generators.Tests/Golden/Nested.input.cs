namespace Persistence.Generators.Tests.Golden.Nested;

/// <summary>A partial class that holds a collection type.</summary>
public partial class Outer
{
    /// <summary>A collection type nested in another type: the generated types are nested beside it.</summary>
    [Collection("nested.notes")]
    public partial class Note
    {
        /// <summary>The key.</summary>
        [PrimaryKey]
        public int Id { get; init; }

        /// <summary>Text.</summary>
        [Index]
        public string Text { get; set; } = "";
    }
}
