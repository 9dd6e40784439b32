namespace Persistence.Generators.Tests.Runtime;

/// <summary>An embedded type that is not sealed.</summary>
[Embedded]
public partial class Shape
{
    /// <summary>Stored.</summary>
    public string Name { get; set; } = "";
}

/// <summary>A subclass whose member the serializer of <see cref="Shape"/> does not know.</summary>
public class Circle : Shape
{
    /// <summary>Not a member of Shape.</summary>
    public double Radius { get; set; }
}

/// <summary>A document holding a shape.</summary>
[Collection("drawings")]
public sealed partial class Drawing
{
    /// <summary>The key.</summary>
    [PrimaryKey]
    public int Id { get; init; }

    /// <summary>Declared as the base type.</summary>
    public Shape? Main { get; set; }

    /// <summary>A list of the base type.</summary>
    public List<Shape> Others { get; set; } = [];
}

/// <summary>A collection type that is not sealed.</summary>
[Collection("animals")]
public partial class Animal
{
    /// <summary>The key.</summary>
    [PrimaryKey]
    public int Id { get; init; }

    /// <summary>Indexed: its entry is written before the document.</summary>
    [Index]
    public string Name { get; set; } = "";
}

/// <summary>A subclass whose member the schema of <see cref="Animal"/> does not know.</summary>
public class Dog : Animal
{
    /// <summary>Not a member of Animal.</summary>
    public string Breed { get; set; } = "";
}

/// <summary>
/// The code generated for a type writes that type's members alone and reads back that type, so an instance of a
/// subclass is refused (a PersistenceSerializationException, nothing written) rather than stored without what it adds.
/// </summary>
public sealed class SubclassRefusalTests : IDisposable
{
    private readonly Database _db = Database.OpenInMemory();

    public void Dispose() => _db.Dispose();

    [Fact]
    public void A_subclass_in_a_member_of_an_embedded_type_is_refused()
    {
        var drawings = new DrawingCollection(_db);
        var error = Assert.Throws<PersistenceSerializationException>(() => drawings.Insert(new Drawing { Id = 1, Main = new Circle { Name = "c", Radius = 2 } }));
        Assert.Contains(typeof(Circle).FullName!, error.Message, StringComparison.Ordinal);
        Assert.Throws<PersistenceSerializationException>(() => drawings.Insert(new Drawing { Id = 2, Others = [new Shape(), new Circle()] }));
        Assert.Equal(0, drawings.Count());

        drawings.Insert(new Drawing { Id = 3, Main = new Shape { Name = "s" }, Others = [new Shape { Name = "t" }] });
        Assert.Equal("s", drawings.Get(3)!.Main!.Name);
    }

    [Fact]
    public void A_subclass_of_a_collection_type_is_refused()
    {
        var animals = new AnimalCollection(_db);
        var error = Assert.Throws<PersistenceSerializationException>(() => animals.Insert(new Dog { Id = 1, Name = "Rex", Breed = "collie" }));
        Assert.Contains(typeof(Dog).FullName!, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, animals.Count());
        Assert.Empty(animals.ByName.Find("Rex"));

        animals.Insert(new Animal { Id = 2, Name = "Tom" });
        Assert.Throws<PersistenceSerializationException>(() => animals.Update(new Dog { Id = 2, Name = "Tom", Breed = "tabby" }));
        Assert.IsType<Animal>(animals.Get(2));
    }
}
