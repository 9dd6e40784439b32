namespace Persistence.Tests.Collections;

/// <summary>
/// Review h86: a read through a transaction of another database is refused (<see cref="ErrorCode.ForeignHandle"/>)
/// when the document is read from the store, but a hot-cache hit never touches the transaction beyond checking that it
/// is active (Collection.Load), so the same call returns this database's document, as if it were in the other one.
/// </summary>
public sealed class ReviewH86HotCacheTests
{
    [Fact]
    public void A_read_in_another_databases_transaction_is_refused_also_when_the_hot_cache_holds_the_document()
    {
        var options = new DatabaseOptions();
        options.Collections["gadgets"] = new CollectionOptions { HotCacheMaxCount = 8 };
        using var a = Database.OpenInMemory(options);
        using var b = Database.OpenInMemory();
        var gadgetsA = new GadgetCollection(a);
        var gadgetsB = new GadgetCollection(b);
        for (var i = 0; i < 20; i++)
        {
            gadgetsB.Upsert(new Gadget { Id = 100 + i }); // b's snapshots are then newer than a's cached entry
        }

        gadgetsA.Insert(new Gadget { Id = 1, Label = "in a" });
        Assert.Equal("in a", gadgetsA.Get(1)!.Label); // fills the hot cache

        using var readB = b.BeginRead();
        var error = Record.Exception(() => gadgetsA.Get(1, readB));

        // As without a hot cache: the transaction's database does not hold this collection's keyspace.
        Assert.Equal(ErrorCode.ForeignHandle, Assert.IsType<KeyspaceException>(error).Code);
    }

    [Fact]
    public void Without_a_hot_cache_the_same_read_is_refused()
    {
        using var a = Database.OpenInMemory();
        using var b = Database.OpenInMemory();
        var gadgetsA = new GadgetCollection(a);
        gadgetsA.Insert(new Gadget { Id = 1, Label = "in a" });

        using var readB = b.BeginRead();
        var error = Record.Exception(() => gadgetsA.Get(1, readB));
        Assert.Equal(ErrorCode.ForeignHandle, Assert.IsType<KeyspaceException>(error).Code);
    }
}
