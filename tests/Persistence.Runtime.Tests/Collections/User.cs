namespace Persistence.Tests.Collections;

/// <summary>The example document. UserGenerated.g.cs holds, written by hand, what the generator emits for it.</summary>
[Collection("users")]
public partial class User
{
    [PrimaryKey]
    public long Id { get; init; }

    [Index(Unique = true)]
    public required string Email { get; set; }

    [Index]
    public int Age { get; set; }

    public string Name { get; set; } = "";

    public List<string> Tags { get; set; } = [];

    [ExpiresAt]
    public DateTimeOffset? ExpiresAt { get; set; }
}
