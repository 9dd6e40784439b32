namespace Persistence.Generators.Tests.Golden.Profiles;

/// <summary>Tagged members (stored under their tags), an ignored member, a computed one and required members.</summary>
[Collection("profiles")]
public partial class Profile
{
    /// <summary>Tagged key.</summary>
    [PrimaryKey]
    [Field(1)]
    public Guid Id { get; init; }

    /// <summary>Tagged: can be renamed without losing data.</summary>
    [Field(2)]
    public string DisplayName { get; set; } = "";

    /// <summary>Tagged and indexed.</summary>
    [Field(3)]
    [Index]
    public int? Score { get; set; }

    /// <summary>Untagged and required.</summary>
    public required string Country { get; init; }

    /// <summary>Never stored.</summary>
    [Ignore]
    public string Cache { get; set; } = "";

    /// <summary>Computed: not stored.</summary>
    public string Label => DisplayName + " (" + Country + ")";
}
