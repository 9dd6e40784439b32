namespace Persistence.Benchmarks.Data;

/// <summary>
/// The benchmark document (see shared/BENCHMARKS.md): about 100-150 bytes serialized. Every peer stores and returns
/// exactly these fields; a read is not complete until a full <see cref="User"/> is materialized. For Persistence it is
/// a typed collection: the source generator emits <c>UserCollection</c> (with <c>ByEmail</c> and <c>ByAge</c>), its
/// fields and its serializer.
/// </summary>
/// <remarks>
/// A mutable class with settable properties because EF Core maps it directly as an entity (the init-only key is set
/// through its backing field). Members carry <see cref="FieldAttribute"/> tags: a stored document then names its members
/// by small integers instead of their names: 27 bytes less per serialized document, 25 bytes less per document on
/// disk after loading 1M (204.0 instead of 229.4 bytes per document in the data file, measured before variable-length
/// integer keys; see README.md).
/// </remarks>
[Collection("users")]
internal sealed partial class User
{
    /// <summary>The primary key, from 1 upwards.</summary>
    [PrimaryKey]
    [Field(1)]
    public long Id { get; init; }

    /// <summary>Unique; its number is a scramble of <see cref="Id"/>, so emails arrive in an order unrelated to Id.</summary>
    [Index(Unique = true)]
    [Field(2)]
    public string Email { get; set; } = "";

    /// <summary>About 16 characters.</summary>
    [Field(3)]
    public string Name { get; set; } = "";

    /// <summary>18 to 90 inclusive; indexed, not unique.</summary>
    [Index]
    [Field(4)]
    public int Age { get; set; }

    /// <summary>A UTC instant with whole seconds.</summary>
    [Field(5)]
    public DateTime CreatedAt { get; set; }

    /// <summary>Three short words.</summary>
    [Field(6)]
    public List<string> Tags { get; set; } = [];
}
