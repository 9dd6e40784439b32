namespace Persistence.Generators.Tests.Runtime;

/// <summary>Members whose names differ only in case, each set by the constructor parameter of its own name.</summary>
[Collection("case_distinct")]
public sealed partial class CaseDistinct
{
    /// <summary>Sets each member from the parameter of its exact name.</summary>
    public CaseDistinct(int id, int ID, string name)
    {
        Id = id;
        this.ID = ID;
        Name = name;
    }

    /// <summary>The key.</summary>
    [PrimaryKey]
    public int Id { get; }

    /// <summary>Differs from <see cref="Id"/> only in case.</summary>
    public int ID { get; }

    /// <summary>Bound to <c>name</c> by case alone.</summary>
    public string Name { get; }
}

/// <summary>
/// The deserializer passes each constructor parameter the member of its exact name, not the first member whose name
/// matches it ignoring case: binding <c>ID</c> to <c>Id</c> stored <c>ID</c> and read <c>Id</c>'s value back in its place.
/// </summary>
public sealed class CaseDistinctMembersTests
{
    [Fact]
    public void Members_differing_only_in_case_round_trip()
    {
        using var db = Database.OpenInMemory();
        var documents = new CaseDistinctCollection(db);
        documents.Insert(new CaseDistinct(1, 2, "n"));

        var read = documents.Get(1)!;
        Assert.Equal((1, 2, "n"), (read.Id, read.ID, read.Name));
    }
}
