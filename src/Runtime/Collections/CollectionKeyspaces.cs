using Persistence.Transactions;

namespace Persistence.Collections;

/// <summary>
/// How a collection's keyspaces are named, and what a keyspace name means in the collection's terms. Collection
/// <c>c</c> keeps its documents in keyspace <c>c</c>, each index <c>I</c> in <c>c#I</c>, and its internal keyspaces in
/// <c>c#$...</c> (<see cref="Definitions"/>, <see cref="Expiry"/>, <see cref="StoredExpiries"/>, and scratch keyspaces
/// while it moves or repairs entries). Collection names hold no <c>#</c> and index names (C# identifiers) no <c>$</c>, so
/// these names cannot collide. The engine knows only keyspaces: <see cref="Describe"/> lets its messages speak of
/// collections and indexes.
/// </summary>
internal static class CollectionKeyspaces
{
    /// <summary>Separates the collection's name from the index (or internal part) in a keyspace name.</summary>
    public const char Separator = '#';

    /// <summary>The part after <c>#</c> of the keyspace recording the collection's index definitions; every bound collection has it.</summary>
    public const string Definitions = "$indexes";

    /// <summary>The part after <c>#</c> of the expiry index's keyspace.</summary>
    public const string Expiry = "$expiry";

    /// <summary>The part after <c>#</c> of the keyspace of stored expiries (a default lifetime's, per document).</summary>
    public const string StoredExpiries = "$expires";

    /// <summary>The keyspace of index (or internal part) <paramref name="index"/> of collection <paramref name="collection"/>.</summary>
    public static string NameOf(string collection, string index) => collection + Separator + index;

    /// <summary>
    /// A key of keyspace <paramref name="keyspace"/> in the user's terms, as the end of a sentence that says two
    /// transactions wrote it: "the same document of collection 'users'", "the same entry of index 'Email' of collection
    /// 'users' (...)", or, for a keyspace of no collection, "the same key in keyspace 'k'". A name is taken for a collection's only when <paramref name="catalog"/> holds that collection's
    /// <see cref="Definitions"/> keyspace, so a key-value keyspace that merely looks like one is described as a keyspace.
    /// </summary>
    public static string Describe(string keyspace, Catalog catalog)
    {
        ArgumentNullException.ThrowIfNull(keyspace);
        ArgumentNullException.ThrowIfNull(catalog);
        var separator = keyspace.IndexOf(Separator, StringComparison.Ordinal);
        var collection = separator < 0 ? keyspace : keyspace[..separator];
        if (collection.Length == 0 || !catalog.TryGet(NameOf(collection, Definitions), out _))
        {
            return $"the same key in keyspace '{keyspace}'";
        }

        if (separator < 0)
        {
            return $"the same document of collection '{collection}'";
        }

        var part = keyspace[(separator + 1)..];
        return part switch
        {
            Expiry => $"the same entry of the expiry index of collection '{collection}' (keyspace '{keyspace}')",
            StoredExpiries => $"the same document's stored expiry in collection '{collection}' (keyspace '{keyspace}')",
            _ when part.StartsWith('$') => $"the same key in keyspace '{keyspace}', which collection '{collection}' keeps for its own use",
            _ => $"the same entry of index '{part}' of collection '{collection}' (in a unique index, the same value; keyspace '{keyspace}')",
        };
    }
}
