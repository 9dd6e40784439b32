using System.Text;

namespace Persistence.Collections;

public abstract partial class Collection<T, TKey>
{
    /// <summary>
    /// The index (after <c>#</c>) of the keyspace recording which indexes the collection's keyspaces hold and how each
    /// was defined when its entries were built: index name to <see cref="DefinitionOf"/>.
    /// </summary>
    private const string DefinitionsName = "$indexes";

    /// <summary>
    /// What an index's entries depend on: the version of the key encoding (raised when a release changes how values
    /// encode, so that the entries are built again), whether it is unique, and its members in key order.
    /// </summary>
    private static byte[] DefinitionOf(IndexSchema<T> index) =>
        Encoding.UTF8.GetBytes($"1|{(index.Unique ? "unique" : "multiple")}|{string.Join(",", index.Members)}");

    /// <summary>
    /// Opens the index keyspaces in the constructor's transaction and returns them with the indexes whose entries must
    /// still be built from the documents (<see cref="BuildIndexes"/>). An index is trusted when its recorded definition
    /// is the declared one, or, in a database written before definitions were recorded, when its keyspace exists. Any
    /// other index (new, redefined, or declared again after a version that did not maintain it) starts empty, and is
    /// recorded only once built, in the same commit as its entries. Indexes recorded but no longer declared are deleted:
    /// nothing maintains them any more, and declaring one again must not bring back its stale entries.
    /// </summary>
    private static (Keyspace[] Indexes, List<int> Unbuilt) OpenIndexes(WriteTransaction tx, DocumentSchema<T, TKey> schema, bool hasDocuments)
    {
        var collection = schema.CollectionName;
        var definitionsName = IndexKeyspaceName(collection, DefinitionsName);
        var recordedBefore = tx.TryGetKeyspace(definitionsName, out var definitions);
        definitions ??= tx.CreateKeyspace(definitionsName);
        var keyspaces = new Keyspace[schema.Indexes.Count];
        var unbuilt = new List<int>();
        for (var i = 0; i < keyspaces.Length; i++)
        {
            var index = schema.Indexes[i];
            var name = Encoding.UTF8.GetBytes(index.Name);
            var definition = DefinitionOf(index);
            var recorded = tx.Get(definitions, name);
            var exists = tx.TryGetKeyspace(IndexKeyspaceName(collection, index.Name), out var keyspace);
            if (exists && (recorded is null ? !recordedBefore : recorded.AsSpan().SequenceEqual(definition)))
            {
                keyspaces[i] = keyspace!;
                if (recorded is null)
                {
                    tx.Put(definitions, name, definition);
                }

                continue;
            }

            if (exists)
            {
                tx.DeleteKeyspace(keyspace!);
            }

            keyspaces[i] = tx.CreateKeyspace(IndexKeyspaceName(collection, index.Name));
            if (hasDocuments)
            {
                tx.Delete(definitions, name);
                unbuilt.Add(i);
            }
            else
            {
                tx.Put(definitions, name, definition);
            }
        }

        var declared = schema.Indexes.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var dropped in tx.Scan(definitions).Select(p => p.Key).Where(k => !declared.Contains(Encoding.UTF8.GetString(k))).ToList())
        {
            if (tx.TryGetKeyspace(IndexKeyspaceName(collection, Encoding.UTF8.GetString(dropped)), out var stale))
            {
                tx.DeleteKeyspace(stale);
            }

            tx.Delete(definitions, dropped);
        }

        return (keyspaces, unbuilt);
    }

    /// <summary>
    /// Builds the entries of indexes <see cref="OpenIndexes"/> left unbuilt (and of a new expiry index) from the
    /// documents, and records their definitions in the same commit: a crash before it leaves them unrecorded, to be
    /// built again at the next open.
    /// </summary>
    private void BuildIndexes(List<int> unbuilt, bool expiry)
    {
        if (unbuilt.Count == 0 && !expiry)
        {
            return;
        }

        Database.Write(tx =>
        {
            Rebuild(tx, unbuilt, expiry);
            var definitions = tx.GetKeyspace(IndexKeyspaceName(Name, DefinitionsName));
            foreach (var i in unbuilt)
            {
                tx.Put(definitions, Encoding.UTF8.GetBytes(Schema.Indexes[i].Name), DefinitionOf(Schema.Indexes[i]));
            }
        });
    }
}
