namespace Persistence.Generators.Tests.Golden.Users;

/// <summary>The example document, as in the runtime tests (which use this generator's output for it).</summary>
[Collection("users")]
public partial class User
{
    /// <summary>The key.</summary>
    [PrimaryKey]
    public long Id { get; init; }

    /// <summary>Unique.</summary>
    [Index(Unique = true)]
    public required string Email { get; set; }

    /// <summary>Indexed.</summary>
    [Index]
    public int Age { get; set; }

    /// <summary>Keeps its initializer when missing from a document.</summary>
    public string Name { get; set; } = "";

    /// <summary>A list.</summary>
    public List<string> Tags { get; set; } = [];

    /// <summary>The expiry.</summary>
    [ExpiresAt]
    public DateTimeOffset? ExpiresAt { get; set; }
}
