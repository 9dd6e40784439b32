namespace Persistence.Generators.Tests.Runtime;

/// <summary>
/// Documents written by one version of a type are read by another: unknown members are skipped, missing settable
/// members keep their initializers, tagged members survive renames, and the same holds inside embedded objects.
/// </summary>
public sealed class SchemaEvolutionTests
{
    [Fact]
    public void A_newer_version_reads_older_documents()
    {
        using var db = Database.OpenInMemory();
        new Evolution.V1.ContactCollection(db).Insert(new Evolution.V1.Contact
        {
            Id = 1, FullName = "Ada Lovelace", Removed = "gone", Kept = 42, Home = new Evolution.V1.Address { City = "London", Zip = "W1" },
        });

        var contact = new Evolution.V2.ContactCollection(db).Get(1);
        Assert.NotNull(contact);
        Assert.Equal("Ada Lovelace", contact.DisplayName);
        Assert.Equal(42, contact.Kept);
        Assert.Equal("initial", contact.Added);
        Assert.Equal([7], contact.AddedList);
        Assert.Equal(5, contact.AddedNullable);
        Assert.Equal("London", contact.Home?.City);
        Assert.Equal("NL", contact.Home?.Country);

        // Init-only members are set in the object initializer: a missing one gets the type's default, not its initializer.
        Assert.Equal("", contact.AddedInit);
    }

    [Fact]
    public void An_older_version_reads_newer_documents()
    {
        using var db = Database.OpenInMemory();
        new Evolution.V2.ContactCollection(db).Insert(new Evolution.V2.Contact
        {
            Id = 2, DisplayName = "Grace Hopper", Kept = 7, Added = "x", AddedList = [1, 2], AddedNullable = null,
            Home = new Evolution.V2.Address { City = "Arlington", Country = "US" },
        });

        var contact = new Evolution.V1.ContactCollection(db).Get(2);
        Assert.NotNull(contact);
        Assert.Equal("Grace Hopper", contact.FullName);
        Assert.Equal(7, contact.Kept);
        Assert.Equal("", contact.Removed);
        Assert.Equal("Arlington", contact.Home?.City);
        Assert.Equal("", contact.Home?.Zip);
    }

    [Fact]
    public void Round_trips_through_both_versions_keep_what_both_know()
    {
        using var db = Database.OpenInMemory();
        var v1 = new Evolution.V1.ContactCollection(db);
        var v2 = new Evolution.V2.ContactCollection(db);
        v1.Insert(new Evolution.V1.Contact { Id = 3, FullName = "Alan", Kept = 1 });
        var newer = v2.Get(3)!;
        newer.DisplayName = "Alan Turing";
        v2.Update(newer);
        var older = v1.Get(3)!;
        Assert.Equal("Alan Turing", older.FullName);
        Assert.Equal(1, older.Kept);
    }
}
