namespace Persistence.Tests.Collections;

/// <summary>
/// A read through a transaction of another database is refused (<see cref="ErrorCode.ForeignHandle"/>) when the
/// document is read from the store; a hot-cache hit reads nothing from the transaction, and must refuse it all the same
/// rather than hand this database's document to a transaction of another one.
/// </summary>
public sealed class HotCacheForeignTransactionTests
{
    public static TheoryData<string> Reads => ["Get", "TryGet", "Contains", "GetAsync", "ContainsAsync"];

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task A_read_in_another_databases_transaction_is_refused_also_when_the_hot_cache_holds_the_document(string read)
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
        var hits = gadgetsA.CacheCounters.Hits;
        Assert.Equal("in a", gadgetsA.Get(1)!.Label);
        Assert.Equal(hits + 1, gadgetsA.CacheCounters.Hits); // the document is served from the hot cache

        using var readB = b.BeginRead();
        var error = await Record.ExceptionAsync(() => Read(gadgetsA, read, readB));

        // As without a hot cache: the transaction's database does not hold this collection's keyspace.
        Assert.Equal(ErrorCode.ForeignHandle, Assert.IsType<KeyspaceException>(error).Code);
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task Without_a_hot_cache_the_same_read_is_refused(string read)
    {
        using var a = Database.OpenInMemory();
        using var b = Database.OpenInMemory();
        var gadgetsA = new GadgetCollection(a);
        gadgetsA.Insert(new Gadget { Id = 1, Label = "in a" });

        using var readB = b.BeginRead();
        var error = await Record.ExceptionAsync(() => Read(gadgetsA, read, readB));
        Assert.Equal(ErrorCode.ForeignHandle, Assert.IsType<KeyspaceException>(error).Code);
    }

    private static async Task Read(GadgetCollection gadgets, string read, Transaction transaction)
    {
        switch (read)
        {
            case "Get":
                _ = gadgets.Get(1, transaction);
                break;
            case "TryGet":
                _ = gadgets.TryGet(1, out _, transaction);
                break;
            case "Contains":
                _ = gadgets.Contains(1, transaction);
                break;
            case "GetAsync":
                _ = await gadgets.GetAsync(1, transaction);
                break;
            case "ContainsAsync":
                _ = await gadgets.ContainsAsync(1, transaction);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(read), read, null);
        }
    }
}
