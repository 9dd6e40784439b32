namespace Persistence.Benchmarks.Data;

/// <summary>
/// The benchmark document (see shared/BENCHMARKS.md): about 100-150 bytes serialized. Every peer stores and returns
/// exactly these fields; a read is not complete until a full <see cref="User"/> is materialized.
/// </summary>
/// <remarks>A mutable class with settable properties because EF Core maps it directly as an entity.</remarks>
internal sealed class User
{
    /// <summary>The primary key, from 1 upwards.</summary>
    public long Id { get; set; }

    /// <summary>Unique; its number is a scramble of <see cref="Id"/>, so emails arrive in an order unrelated to Id.</summary>
    public string Email { get; set; } = "";

    /// <summary>About 16 characters.</summary>
    public string Name { get; set; } = "";

    /// <summary>18 to 90 inclusive; indexed, not unique.</summary>
    public int Age { get; set; }

    /// <summary>A UTC instant with whole seconds.</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>Three short words.</summary>
    public List<string> Tags { get; set; } = [];
}
