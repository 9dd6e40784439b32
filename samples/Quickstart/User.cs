using Persistence;

namespace Quickstart;

/// <summary>A document type: the source generator turns it into <see cref="UserCollection"/> at compile time.</summary>
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
}
