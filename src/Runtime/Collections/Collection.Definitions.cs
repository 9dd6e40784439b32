using System.Text;

namespace Persistence.Collections;

public abstract partial class Collection<T, TKey>
{
    /// <summary>
    /// The index (after <c>#</c>) of the keyspace recording which indexes the collection's keyspaces hold and how each
    /// was defined when its entries were built: index name to <see cref="DefinitionOf(IndexSchema{T}, DocumentSchema{T, TKey})"/>, and
    /// <see cref="ExpiryRecord"/> for the expiry index.
    /// </summary>
    private const string DefinitionsName = CollectionKeyspaces.Definitions;

    /// <summary>The index (after <c>#</c>) of the expiry index's keyspace.</summary>
    private const string ExpiryName = CollectionKeyspaces.Expiry;

    /// <summary>
    /// The record of the expiry index among the definitions: no index can have this name (index names are identifiers,
    /// which hold no <c>$</c>).
    /// </summary>
    private static readonly byte[] ExpiryRecord = "$expiry"u8.ToArray();

    /// <summary>
    /// The version of the definitions: raised when a release changes how values encode or what a definition holds, so
    /// that entries built under an earlier one are built again. Version 1 did not hold the encodings, so its records
    /// say nothing of the types the entries were built from: they are not trusted.
    /// </summary>
    private const string DefinitionVersion = "2";

    /// <summary>
    /// Stands for the encodings a schema does not give (<see cref="IndexSchema{T}.Encodings"/> or
    /// <see cref="DocumentSchema{T, TKey}.KeyEncodings"/> empty: hand-written, or built against the constructors without
    /// them). It matches only itself, so such a schema's indexes are trusted as before encodings were recorded: a change
    /// of its members' types is not detected.
    /// </summary>
    private const string UnknownEncoding = "?";

    /// <summary>
    /// The record of the primary key's encoding among the definitions ("2|key|Int64"), which every document's key is
    /// in: no index can have this name either.
    /// </summary>
    private static readonly byte[] KeyRecord = "$key"u8.ToArray();

    /// <summary>
    /// What the expiry index's entries depend on: the version, the primary key's encoding, which each entry holds after
    /// the expiry, and where a document's expiry comes from (<see cref="ExpirySourceOf"/>): its stored expiry or else
    /// its <see cref="ExpiresAtAttribute"/> member, named ("2|expiry|Int64|member:ExpiresAt"), or its stored expiry
    /// alone ("...|stored"). A version that adds, removes or moves the member thus builds the index again: its entries
    /// were derived from values that documents no longer expire by, or lack those they now have, and the collector
    /// deletes by them. Whether stored expiries are in force is not part of it: their keyspace, once created, is never
    /// deleted, and it starts empty, so its creation changes no document's expiry.
    /// </summary>
    private static byte[] ExpiryDefinitionOf(DocumentSchema<T, TKey> schema) => ExpiryDefinitionOf(KeyEncodingOf(schema), ExpirySourceOf(schema));

    private static byte[] ExpiryDefinitionOf(string keyEncoding, string source) =>
        Encoding.UTF8.GetBytes($"{DefinitionVersion}|expiry|{keyEncoding}|{source}");

    /// <summary>The source of expiries of a type without an <see cref="ExpiresAtAttribute"/> member: stored ones alone.</summary>
    private const string StoredSource = "stored";

    /// <summary>
    /// The source of expiries of a type with an <see cref="ExpiresAtAttribute"/> member (stored ones first), which its
    /// name follows after a <c>:</c>. Alone, it is what the release before the member was named recorded, and what a
    /// schema that does not name it (<see cref="DocumentSchema{T, TKey}.ExpiresAtMember"/> null) still records.
    /// </summary>
    private const string MemberSource = "member";

    /// <summary>
    /// Where the schema's expiries come from, as the expiry record ends: <see cref="StoredSource"/>, or
    /// <see cref="MemberSource"/> and the member's name ("member:ExpiresAt"), as an index's record names its members.
    /// The name is that of the C# member, not the key the document stores it under: renaming the member builds the
    /// index again, which costs a pass over the documents but is never wrong. A schema that does not name it records
    /// <see cref="MemberSource"/> alone, which matches only itself: it keeps its index as before the member was named
    /// (building it at every open otherwise, since it can never record a name), and a move under it is not detected.
    /// </summary>
    private static string ExpirySourceOf(DocumentSchema<T, TKey> schema) =>
        !schema.HasExpiresAt ? StoredSource
        : schema.ExpiresAtMember is { } member ? $"{MemberSource}:{member}"
        : MemberSource;

    /// <summary>
    /// The expiry record of a release before it said where expiries come from ("2|expiry|Int64"): the entries may be
    /// the member's values of a version that had it (see <see cref="ExpiryTrusted"/>).
    /// </summary>
    private static byte[] UnsourcedExpiryDefinitionOf(string keyEncoding) => Encoding.UTF8.GetBytes($"{DefinitionVersion}|expiry|{keyEncoding}");

    /// <summary>
    /// Whether an existing expiry index recorded as <paramref name="recorded"/> holds the entries the schema derives
    /// from <paramref name="source"/> (<see cref="ExpirySourceOf"/>), with primary keys encoded as
    /// <paramref name="keyEncoding"/>: when the record is the schema's definition. The records of earlier releases say
    /// less. The one before the member was named ("2|expiry|Int64|member") does not say which member the entries came
    /// from, and the attribute may have moved since they were built, which would leave live documents for the
    /// collector to delete by another member's values: for a schema that names its member it is another definition,
    /// and the index is built again once, which costs a pass over the documents but is never wrong. For the same
    /// reason an index without a record is not trusted, even in a database written before definitions were recorded,
    /// where an index's keyspace is: nothing says where its entries came from. The record of the release before the
    /// source was recorded (<see cref="UnsourcedExpiryDefinitionOf"/>) is trusted only by a schema that does not name
    /// its member, as the release after it trusted it: when no stored expiries were ever in force
    /// (<paramref name="hadStored"/>: their keyspace existed before this construction), every version since the index
    /// was last built had a member, since one with neither deleted the index.
    /// </summary>
    private static bool ExpiryTrusted(byte[]? recorded, string keyEncoding, string source, bool hadStored) =>
        recorded is not null
        && (recorded.AsSpan().SequenceEqual(ExpiryDefinitionOf(keyEncoding, source))
            || (source == MemberSource && !hadStored && recorded.AsSpan().SequenceEqual(UnsourcedExpiryDefinitionOf(keyEncoding))));

    /// <summary>
    /// Whether <paramref name="recorded"/> is the expiry record of a release that said less than this one of where the
    /// entries come from, for a schema with the member (<paramref name="member"/>) or without: one that did not name
    /// the member, or (<see cref="UnsourcedExpiryDefinitionOf"/>) one that did not say whether there was a member. A
    /// database that turned read-only binds such an index as it is (<see cref="TryBindInPlace"/>).
    /// </summary>
    private static bool EarlierExpiryRecord(byte[] recorded, string keyEncoding, bool member) =>
        recorded.AsSpan().SequenceEqual(UnsourcedExpiryDefinitionOf(keyEncoding))
        || (member && recorded.AsSpan().SequenceEqual(ExpiryDefinitionOf(keyEncoding, MemberSource)));

    /// <summary>
    /// What an index's entries depend on: the version, whether it is unique, its members in key order with the key
    /// encoding of each, and the primary key's encoding, which every entry holds ("2|multiple|Age:Int64|Int64"). The
    /// encodings are those the generator names (<see cref="IndexSchema{T}.Encodings"/>), not the members' types: a
    /// change between types that write the same bytes (int and long) keeps the entries, any other rebuilds them.
    /// </summary>
    private static byte[] DefinitionOf(IndexSchema<T> index, DocumentSchema<T, TKey> schema) => DefinitionOf(index, KeyEncodingOf(schema));

    private static byte[] DefinitionOf(IndexSchema<T> index, string keyEncoding)
    {
        var members = index.Members.Select((member, i) => $"{member}:{(index.Encodings.Count == 0 ? UnknownEncoding : index.Encodings[i])}");
        return Encoding.UTF8.GetBytes(
            $"{DefinitionVersion}|{(index.Unique ? "unique" : "multiple")}|{string.Join(",", members)}|{keyEncoding}");
    }

    private static byte[] KeyDefinitionOf(DocumentSchema<T, TKey> schema) => KeyDefinitionOf(KeyEncodingOf(schema));

    private static byte[] KeyDefinitionOf(string keyEncoding) => Encoding.UTF8.GetBytes($"{DefinitionVersion}|key|{keyEncoding}");

    /// <summary>What the recorded primary-key encoding says of the stored documents' keys (<see cref="KeyStateOf"/>).</summary>
    private enum KeyState
    {
        /// <summary>The declared encoding is recorded.</summary>
        Declared,

        /// <summary>Nothing to compare is recorded (or the schema names no encoding): the declared one is to be recorded.</summary>
        Unrecorded,

        /// <summary>
        /// The documents are keyed in the earlier encoding of the declared key's DateTime and DateTimeOffset parts
        /// (<see cref="EarlierKeyEncodingOf"/>): they are to be moved under their keys (<see cref="MoveKeys"/>).
        /// </summary>
        Earlier,
    }

    /// <summary>
    /// What the recorded primary-key encoding says of the documents' keys. With nothing recorded, documents stored by a
    /// version before it was recorded are in the earlier encoding, the only one there was then. Throws
    /// <see cref="ErrorCode.PrimaryKeyChanged"/> when another encoding is recorded, because every stored document is
    /// keyed in it and could no longer be found.
    /// </summary>
    private static KeyState KeyStateOf(Transaction tx, DocumentSchema<T, TKey> schema, Keyspace? definitions, Keyspace documents)
    {
        var earlier = EarlierKeyEncodingOf(schema);
        if (definitions is null || tx.Get(definitions, KeyRecord) is not { } recorded)
        {
            return earlier is not null && tx.Count(documents) > 0 ? KeyState.Earlier : KeyState.Unrecorded;
        }

        if (recorded.AsSpan().SequenceEqual(KeyDefinitionOf(schema)))
        {
            return KeyState.Declared;
        }

        var stored = Encoding.UTF8.GetString(recorded);
        if (stored.EndsWith("|" + UnknownEncoding, StringComparison.Ordinal) || KeyEncodingOf(schema) == UnknownEncoding)
        {
            return KeyState.Unrecorded; // a schema that did not name its encoding recorded it, or this one does not: nothing to compare
        }

        if (earlier is not null && recorded.AsSpan().SequenceEqual(KeyDefinitionOf(earlier)))
        {
            return KeyState.Earlier;
        }

        throw new DocumentException(ErrorCode.PrimaryKeyChanged, schema.CollectionName,
            $"The documents of '{schema.CollectionName}' are stored under primary keys encoded as {stored[(stored.LastIndexOf('|') + 1)..]}, but its type declares {KeyEncodingOf(schema)}: the key member's type changed, and no stored document could be found by the new key. Restore the key's type, or copy the documents into a collection of another name.");
    }

    private static string KeyEncodingOf(DocumentSchema<T, TKey> schema) =>
        schema.KeyEncodings.Count == 0 ? UnknownEncoding : string.Join(",", schema.KeyEncodings);

    /// <summary>The index (after <c>#</c>) of the keyspace of stored expiries (a default lifetime's, per document).</summary>
    private const string StoredExpiryName = CollectionKeyspaces.StoredExpiries;

    /// <summary>The keyspaces a collection binds to.</summary>
    private sealed record Bound(Keyspace Documents, Keyspace[] Indexes, Keyspace? Expiry, Keyspace? Stored);

    /// <summary>
    /// The keyspaces of the collection when the stored state is already what the declaration needs, found in a read
    /// transaction; null when the constructor must write: create a keyspace, record, build or delete an index. On a
    /// database that turned read-only (<paramref name="readOnly"/>), what a write would only tidy is left as it is and
    /// the collection binds anyway: records missing from a database written before them (its index keyspaces are
    /// trusted, as the write path does), an index or expiry index no longer declared (nothing writes, so nothing can
    /// make it stale), a missing keyspace of stored expiries (none are stored, which reads take as none), and an expiry
    /// record of a release that said less of where expiries come from (<see cref="EarlierExpiryRecord"/>: not which
    /// member, or not whether there was one; the entries are trusted as they are, which counts and scans go by, as for
    /// an unrecorded index). What reads depend on still refuses: a missing documents keyspace, or an index or expiry
    /// index to build (one recorded as derived from another source than the schema's, such as another member).
    /// </summary>
    private static Bound? TryBindInPlace(Transaction tx, DocumentSchema<T, TKey> schema, bool storesExpiries, bool readOnly)
    {
        var collection = schema.CollectionName;
        if (!tx.TryGetKeyspace(collection, out var documents))
        {
            return null;
        }

        var recordedBefore = tx.TryGetKeyspace(IndexKeyspaceName(collection, DefinitionsName), out var definitions);
        if (!recordedBefore && !readOnly)
        {
            return null; // the records are written at the first construction
        }

        var keyState = KeyStateOf(tx, schema, definitions, documents);
        if (keyState == KeyState.Earlier)
        {
            return null; // moved by the write path, which a read-only database refuses: these keys cannot be read
        }

        if (definitions is not null && keyState == KeyState.Unrecorded && !readOnly)
        {
            return null; // recorded by the write path
        }

        var indexes = new Keyspace[schema.Indexes.Count];
        for (var i = 0; i < indexes.Length; i++)
        {
            var index = schema.Indexes[i];
            if (!tx.TryGetKeyspace(IndexKeyspaceName(collection, index.Name), out var keyspace))
            {
                return null;
            }

            var recorded = definitions is null ? null : tx.Get(definitions, Encoding.UTF8.GetBytes(index.Name));
            if (recorded is null ? recordedBefore : !recorded.AsSpan().SequenceEqual(DefinitionOf(index, schema)))
            {
                return null; // unrecorded in a database with records (a build under way or cut short), or redefined
            }

            indexes[i] = keyspace;
        }

        if (definitions is not null && !readOnly && Dropped(tx, schema, definitions).Any())
        {
            return null; // an index no longer declared: deleted by the write path
        }

        var hasStored = tx.TryGetKeyspace(IndexKeyspaceName(collection, StoredExpiryName), out var stored);
        if (storesExpiries && !hasStored && !readOnly)
        {
            return null;
        }

        var inForce = schema.HasExpiresAt || hasStored;
        var hasExpiry = tx.TryGetKeyspace(IndexKeyspaceName(collection, ExpiryName), out var expiry);
        var expiryRecord = definitions is null ? null : tx.Get(definitions, ExpiryRecord);
        if (!inForce)
        {
            return (hasExpiry || expiryRecord is not null) && !readOnly ? null : new Bound(documents, indexes, null, stored);
        }

        var expiryBound = hasExpiry && (expiryRecord is null
            ? !recordedBefore // true only read-only: a writable database without records returned above
            : expiryRecord.AsSpan().SequenceEqual(ExpiryDefinitionOf(schema))
                || (readOnly && EarlierExpiryRecord(expiryRecord, KeyEncodingOf(schema), schema.HasExpiresAt)));
        return expiryBound ? new Bound(documents, indexes, expiry, stored) : null; // else recorded, or built, by the write path
    }

    /// <summary>
    /// Opens the index keyspaces in the constructor's transaction and returns them with the indexes whose entries must
    /// still be built from the documents (<see cref="BuildIndexes"/>). An index is trusted when its recorded definition
    /// is the declared one, or, in a database written before definitions were recorded (<paramref name="recordedBefore"/>
    /// false), when its keyspace exists. A redefined index starts again from an empty keyspace. An unrecorded keyspace of
    /// a database with records is kept and built: its build is under way in another instance of the collection, which
    /// holds its handle, or was cut short (a crash or a failure after the constructor's first commit). Any index left to
    /// build is recorded only once built, in the same commit as its entries. Indexes recorded but no longer declared are
    /// deleted: nothing maintains them any more, and declaring one again must not bring back its stale entries.
    /// </summary>
    private static (Keyspace[] Indexes, List<int> Unbuilt) OpenIndexes(WriteTransaction tx, DocumentSchema<T, TKey> schema, Keyspace definitions,
        bool recordedBefore, bool hasDocuments)
    {
        var collection = schema.CollectionName;
        var keyspaces = new Keyspace[schema.Indexes.Count];
        var unbuilt = new List<int>();
        for (var i = 0; i < keyspaces.Length; i++)
        {
            var index = schema.Indexes[i];
            var name = Encoding.UTF8.GetBytes(index.Name);
            var definition = DefinitionOf(index, schema);
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

            if (recorded is not null)
            {
                tx.Delete(definitions, name); // until built again
                if (exists)
                {
                    tx.DeleteKeyspace(keyspace!); // redefined: its entries are of the old definition
                    exists = false;
                }
            }

            keyspaces[i] = exists ? keyspace! : tx.CreateKeyspace(IndexKeyspaceName(collection, index.Name));
            if (hasDocuments || (exists && tx.Count(keyspace!) > 0))
            {
                unbuilt.Add(i);
            }
            else
            {
                tx.Put(definitions, name, definition);
            }
        }

        foreach (var key in Dropped(tx, schema, definitions).ToList())
        {
            if (tx.TryGetKeyspace(IndexKeyspaceName(collection, Encoding.UTF8.GetString(key)), out var stale))
            {
                tx.DeleteKeyspace(stale);
            }

            tx.Delete(definitions, key);
        }

        return (keyspaces, unbuilt);
    }

    /// <summary>The recorded names of indexes the schema no longer declares (the expiry and key records are not indexes).</summary>
    private static IEnumerable<byte[]> Dropped(Transaction tx, DocumentSchema<T, TKey> schema, Keyspace definitions)
    {
        var declared = schema.Indexes.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        return tx.Scan(definitions).Select(p => p.Key)
            .Where(k => !k.AsSpan().SequenceEqual(ExpiryRecord) && !k.AsSpan().SequenceEqual(KeyRecord) && !declared.Contains(Encoding.UTF8.GetString(k)));
    }

    /// <summary>
    /// Opens the expiry index in the constructor's transaction when expiries are in force (<paramref name="inForce"/>),
    /// and says whether its entries must still be built from the documents; trusted (<see cref="ExpiryTrusted"/>, with
    /// <paramref name="hadStored"/> saying whether stored expiries were in force before this construction), kept and
    /// recorded as <see cref="OpenIndexes"/> does for an index: one recorded as derived from another source (another
    /// member among them) is deleted and built again from the documents, and an unrecorded one, even in a database
    /// written before definitions were recorded, is kept and built (reconciled with the entries it holds). When
    /// expiries are not in force any more, the expiry index is deleted: nothing maintains it meanwhile, and its stale
    /// entries would make the collector delete documents by expiries they no longer have once expiries are in force
    /// again.
    /// </summary>
    private static (Keyspace? Expiry, bool Unbuilt) OpenExpiry(WriteTransaction tx, DocumentSchema<T, TKey> schema, Keyspace definitions,
        bool hasDocuments, bool inForce, bool hadStored)
    {
        var collection = schema.CollectionName;
        var definition = ExpiryDefinitionOf(schema);
        var exists = tx.TryGetKeyspace(IndexKeyspaceName(collection, ExpiryName), out var keyspace);
        var recordedAs = tx.Get(definitions, ExpiryRecord);
        var recorded = recordedAs is not null;
        if (!inForce)
        {
            if (exists)
            {
                tx.DeleteKeyspace(keyspace!);
            }

            if (recorded)
            {
                tx.Delete(definitions, ExpiryRecord);
            }

            return (null, false);
        }

        if (exists && ExpiryTrusted(recordedAs, KeyEncodingOf(schema), ExpirySourceOf(schema), hadStored))
        {
            if (!recordedAs.AsSpan().SequenceEqual(definition))
            {
                tx.Put(definitions, ExpiryRecord, definition);
            }

            return (keyspace, false);
        }

        if (recorded)
        {
            tx.Delete(definitions, ExpiryRecord); // until built again
            if (exists)
            {
                tx.DeleteKeyspace(keyspace!); // of another definition: its entries hold primary keys of the old encoding, or expiries of another source
                exists = false;
            }
        }

        var expiry = exists ? keyspace! : tx.CreateKeyspace(IndexKeyspaceName(collection, ExpiryName));
        if (hasDocuments || (exists && tx.Count(expiry) > 0))
        {
            return (expiry, true);
        }

        tx.Put(definitions, ExpiryRecord, definition);
        return (expiry, false);
    }

    /// <summary>
    /// Builds the entries of indexes <see cref="OpenIndexes"/> left unbuilt (and of the expiry index when
    /// <paramref name="expiry"/>) from the documents, and records their definitions in the same commit: a crash before
    /// it leaves them unrecorded, to be built again at the next open. Those another instance of the collection built
    /// and recorded meanwhile are left as they are. A refused build (a document that cannot be decoded, a unique value
    /// two live documents hold) commits nothing: its indexes stay as the bind's commit left them, unrecorded (a new one empty).
    /// </summary>
    private void BuildIndexes(List<int> unbuilt, bool expiry)
    {
        if (unbuilt.Count == 0 && !expiry)
        {
            return;
        }

        var started = Database.TimeProvider.GetTimestamp();
        var built = Database.Write<(string Names, long Documents)?>(tx =>
        {
            var definitions = tx.GetKeyspace(IndexKeyspaceName(Name, DefinitionsName));
            var indexes = unbuilt.Where(i => !Recorded(tx, definitions, Encoding.UTF8.GetBytes(Schema.Indexes[i].Name), DefinitionOf(Schema.Indexes[i], Schema))).ToList();
            var buildExpiry = expiry && !Recorded(tx, definitions, ExpiryRecord, ExpiryDefinitionOf(Schema));
            if (indexes.Count == 0 && !buildExpiry)
            {
                return null;
            }

            var names = string.Join(", ", indexes.Select(i => $"index {Schema.Indexes[i].Name}").Concat(buildExpiry ? ["the expiry index"] : []));
            Rebuild(tx, indexes, buildExpiry, $"{names} cannot be built and the collection cannot be constructed (nothing of the build was "
                + $"committed; a version of the collection without {names} opens, and can delete it)");
            foreach (var i in indexes)
            {
                tx.Put(definitions, Encoding.UTF8.GetBytes(Schema.Indexes[i].Name), DefinitionOf(Schema.Indexes[i], Schema));
            }

            if (buildExpiry)
            {
                tx.Put(definitions, ExpiryRecord, ExpiryDefinitionOf(Schema));
            }

            return (Names: names, Documents: tx.Count(Documents));
        });

        // A build reads every document, which a large collection takes a while to do: say so once it is done (an
        // upgrade that changes the definitions' format builds every index once, at the first construction).
        if (built is { } done)
        {
            Diagnostics.Log.IndexesBuilt(Database.Logger, done.Names, Name, Database.Path ?? ":memory:", done.Documents,
                (long)Database.TimeProvider.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private static bool Recorded(Transaction tx, Keyspace definitions, byte[] name, byte[] definition) =>
        tx.TryGet(definitions, name, out var recorded) && recorded.SequenceEqual(definition);
}
