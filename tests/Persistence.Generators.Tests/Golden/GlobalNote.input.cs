#pragma warning disable CA1050 // Declare types in namespaces: this one tests the global namespace.

/// <summary>A collection type in the global namespace.</summary>
[Persistence.Collection("global-notes")]
public partial class GlobalNote
{
    /// <summary>A string key.</summary>
    [Persistence.PrimaryKey]
    public string Key { get; init; } = "";

    /// <summary>Nullable text.</summary>
    public string? Body { get; set; }
}
