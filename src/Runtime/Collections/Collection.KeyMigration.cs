using System.Globalization;
using System.Text;
using Persistence.Serialization;

namespace Persistence.Collections;

/// <content>
/// Moving documents stored under the earlier encoding of DateTime and DateTimeOffset key parts (a DateTime with its own
/// Ticks and Kind, a DateTimeOffset with its offset) under their keys as now encoded (as stored, in UTC; the instant
/// alone), once, in the constructor's transaction.
/// </content>
public abstract partial class Collection<T, TKey>
{
    /// <summary>How many entries a pass deletes before it looks for more (<see cref="Clear"/>).</summary>
    private const int ClearBatch = 4096;

    /// <summary>The index (after <c>#</c>) of the scratch keyspaces of a move starts with it: <c>c#$move:keys</c>.</summary>
    private const string MovePrefix = "$move:";

    /// <summary>What a move did: the documents moved and the index and expiry entries rewritten with them.</summary>
    private sealed record Moved(long Documents, long Entries);

    /// <summary>
    /// The encoding the declared primary key had before its DateTime parts were held as stored and its DateTimeOffset parts
    /// as their instant ("DateTime", "DateTimeOffset"), as <see cref="KeyEncodingOf"/> names it; null when no part of
    /// it changed (or the schema names no encodings).
    /// </summary>
    private static string? EarlierKeyEncodingOf(DocumentSchema<T, TKey> schema)
    {
        var earlier = schema.KeyEncodings.Select(EarlierEncoding).ToList();
        return earlier.SequenceEqual(schema.KeyEncodings) ? null : string.Join(",", earlier);
    }

    /// <summary>The earlier name of a primary-key part's encoding that changed, or the name itself.</summary>
    private static string EarlierEncoding(string encoding) => encoding switch
    {
        "DateTimeUtc" => "DateTime",
        "DateTimeOffsetInstant" => "DateTimeOffset",
        _ => encoding,
    };

    /// <summary>
    /// Moves every document stored under the earlier key encoding under its key (read by
    /// <see cref="DocumentSchema{T, TKey}.DeserializeUnderEarlierKey"/>, written again by the schema: a document whose key
    /// has a DateTimeOffset part is written again too, since the key no longer holds its offset), with its stored expiry,
    /// and rewrites the primary key every entry of the trusted indexes and expiry index holds; then records those
    /// definitions and the declared key encoding. An index that is not trusted is left to <see cref="OpenIndexes"/> (the
    /// expiry index to <see cref="OpenExpiry"/>), which builds it again; so is one holding an entry of no document,
    /// whose keyspace is deleted. Uses only the schema: the constructor calls it before the collection's keyspaces are
    /// bound.
    /// </summary>
    /// <exception cref="DocumentException">With <see cref="ErrorCode.PrimaryKeysCollide"/> when two documents have one key in
    /// the declared encoding; the caller's transaction is to be rolled back (the constructor's is).</exception>
    private Moved MoveKeys(WriteTransaction tx, Keyspace documents, Keyspace definitions, bool recordedBefore)
    {
        var earlier = EarlierKeyEncodingOf(Schema)!;
        var storedExpiries = tx.TryGetKeyspace(IndexKeyspaceName(Name, StoredExpiryName), out var stored) ? stored : null;
        var keys = tx.CreateKeyspace(IndexKeyspaceName(Name, MovePrefix + "keys")); // earlier key -> key
        var moved = tx.CreateKeyspace(IndexKeyspaceName(Name, MovePrefix + "documents"));
        var movedExpiries = storedExpiries is null ? null : tx.CreateKeyspace(IndexKeyspaceName(Name, MovePrefix + StoredExpiryName));
        var leftOut = Schema.EarlierLeftOutMembers; // the document takes the offset its key dropped
        long count = 0;
        using (var cursor = tx.OpenCursor(documents))
        {
            for (var ok = cursor.First(); ok; ok = cursor.Next())
            {
                var earlierKey = cursor.Key.ToArray();
                var document = DecodeUnderEarlierKey(earlierKey, cursor.Value);
                var key = EncodeKey(Schema.GetKey(document));
                if (!tx.TryAdd(moved, key, leftOut.Count == 0 ? cursor.Value : WithLeftOut(cursor.Value, document, leftOut), out _))
                {
                    throw KeysCollide(tx, keys, key, earlierKey);
                }

                tx.Put(keys, earlierKey, key);
                if (movedExpiries is not null && tx.TryGet(storedExpiries!, earlierKey, out var expires))
                {
                    tx.Put(movedExpiries, key, expires);
                }

                count++;
            }
        }

        // An earlier key and another document's key can be the same bytes (a UTC DateTime's is), so the keyspaces are
        // emptied before they take the moved entries.
        Replace(tx, documents, moved);
        if (movedExpiries is not null)
        {
            Replace(tx, storedExpiries!, movedExpiries);
        }

        var entries = 0L;
        for (var i = 0; i < Schema.Indexes.Count; i++)
        {
            var index = Schema.Indexes[i];
            var name = Encoding.UTF8.GetBytes(index.Name);
            if (tx.TryGetKeyspace(IndexKeyspaceName(Name, index.Name), out var keyspace)
                && Trusted(tx, definitions, name, DefinitionOf(index, earlier), recordedBefore))
            {
                entries += MoveEntries(tx, keyspace, keys, definitions, name, DefinitionOf(index, Schema), i);
            }
        }

        if (tx.TryGetKeyspace(IndexKeyspaceName(Name, ExpiryName), out var expiry)
            && ExpiryTrusted(tx.Get(definitions, ExpiryRecord), earlier, ExpirySourceOf(Schema), storedExpiries is not null))
        {
            entries += MoveEntries(tx, expiry, keys, definitions, ExpiryRecord, ExpiryDefinitionOf(Schema), index: null);
        }

        tx.DeleteKeyspace(keys);
        tx.Put(definitions, KeyRecord, KeyDefinitionOf(Schema));
        return new Moved(count, entries);
    }

    /// <summary>Whether <see cref="OpenIndexes"/> would trust an index recorded as <paramref name="name"/> under <paramref name="definition"/>.</summary>
    private static bool Trusted(Transaction tx, Keyspace definitions, byte[] name, byte[] definition, bool recordedBefore) =>
        tx.Get(definitions, name) is { } recorded ? recorded.AsSpan().SequenceEqual(definition) : !recordedBefore;

    /// <summary>
    /// Rewrites the primary key each entry of an index (the expiry index when <paramref name="index"/> is null) holds by
    /// <paramref name="keys"/> (earlier key to key), and records the index as <paramref name="definition"/>; returns how
    /// many entries it rewrote. An entry whose key <paramref name="keys"/> does not hold refers to no document: the index
    /// is corrupt, and is deleted with its record instead, to be built again from the documents.
    /// </summary>
    private long MoveEntries(WriteTransaction tx, Keyspace keyspace, Keyspace keys, Keyspace definitions, byte[] name, byte[] definition, int? index)
    {
        // Named after the index's position, not its name: never longer than the names a valid collection already has.
        var moved = tx.CreateKeyspace(IndexKeyspaceName(Name, MovePrefix + (index is { } position ? position.ToString(CultureInfo.InvariantCulture) : ExpiryName)));
        var unique = index is { } u && Schema.Indexes[u].Unique;
        var whole = true;
        using (var cursor = tx.OpenCursor(keyspace))
        {
            for (var ok = cursor.First(); ok && whole; ok = cursor.Next())
            {
                var entry = cursor.Key;
                var earlierKey = unique ? cursor.Value : index is { } i ? PrimaryKeyOfEntry(i, entry) : entry[sizeof(long)..];
                if (tx.Get(keys, earlierKey) is not { } key)
                {
                    whole = false;
                }
                else if (unique)
                {
                    tx.Put(moved, entry, key);
                }
                else
                {
                    var prefix = entry[..(entry.Length - earlierKey.Length)];
                    tx.Put(moved, [.. prefix, .. key], []);
                }
            }
        }

        if (!whole)
        {
            tx.DeleteKeyspace(moved);
            tx.DeleteKeyspace(keyspace);
            tx.Delete(definitions, name);
            return 0;
        }

        var count = tx.Count(moved);
        Replace(tx, keyspace, moved);
        tx.Put(definitions, name, definition);
        return count;
    }

    /// <summary>Makes <paramref name="target"/> hold exactly the entries of <paramref name="source"/>, then deletes <paramref name="source"/>.</summary>
    private static void Replace(WriteTransaction tx, Keyspace target, Keyspace source)
    {
        Clear(tx, target);
        using (var cursor = tx.OpenCursor(source))
        {
            for (var ok = cursor.First(); ok; ok = cursor.Next())
            {
                tx.Put(target, cursor.Key, cursor.Value);
            }
        }

        tx.DeleteKeyspace(source);
    }

    /// <summary>Deletes every entry of <paramref name="keyspace"/>, a batch at a time, each once its cursor is closed.</summary>
    private static void Clear(WriteTransaction tx, Keyspace keyspace)
    {
        var batch = new List<byte[]>(ClearBatch);
        do
        {
            batch.Clear();
            using (var cursor = tx.OpenCursor(keyspace))
            {
                for (var ok = cursor.First(); ok && batch.Count < ClearBatch; ok = cursor.Next())
                {
                    batch.Add(cursor.Key.ToArray());
                }
            }

            foreach (var key in batch)
            {
                tx.Delete(keyspace, key);
            }
        }
        while (batch.Count == ClearBatch);
    }

    /// <summary>
    /// The stored bytes of a document moved from under its earlier key with the members that key held and the document
    /// now holds (<see cref="DocumentSchema{T, TKey}.EarlierLeftOutMembers"/>) written in: at their positions in an array,
    /// after the other entries of a map (replacing any entry under the same tag or name, which the earlier reader skipped
    /// since its key won). Everything else is copied as it was: serializing <paramref name="document"/> again would drop
    /// the members this version of the type does not know, which another version wrote and would read. An array whose
    /// member is untagged now, which no reader of this type could place, is serialized again.
    /// </summary>
    private ReadOnlySpan<byte> WithLeftOut(ReadOnlySpan<byte> stored, T document, IReadOnlyList<(int Tag, string Name)> leftOut)
    {
        var reader = new MessagePackReader(stored);
        var isArray = reader.PeekType() == MessagePackType.Array;
        if (isArray && leftOut.Any(m => m.Tag == 0))
        {
            return Encode(document);
        }

        var count = isArray ? reader.ReadArrayHeader() : reader.ReadMapHeader();
        var kept = new List<Range>(count);
        for (var i = 0; i < count; i++)
        {
            var start = reader.Position;
            var member = isArray ? IndexOfTag(leftOut, i + 1) : LeftOutKeyed(ref reader, leftOut);
            reader.Skip();
            if (!isArray)
            {
                reader.Skip();
            }

            kept.Add(member < 0 ? new Range(start, reader.Position) : new Range(start, start)); // an empty range: written anew
        }

        // Held while the getters of the left-out members run: one may write a document on this thread, which then
        // encodes into another buffer. The bytes stay in this one until the thread's next encoding, after the caller's put.
        using var held = DocumentBuffer.Hold();
        var writer = new MessagePackWriter(held.Buffer);
        if (isArray)
        {
            // Element i holds the member tagged i + 1; an array that ended before a member (a key-held one at its end took
            // no element) grows to hold it, nil in between.
            var length = Math.Max(count, leftOut.Max(m => m.Tag));
            writer.WriteArrayHeader(length);
            for (var i = 0; i < length; i++)
            {
                var member = IndexOfTag(leftOut, i + 1);
                if (member >= 0)
                {
                    writer.Write(Schema.EarlierLeftOutValue(document, member));
                }
                else if (i < count)
                {
                    writer.WriteRaw(stored[kept[i]]);
                }
                else
                {
                    writer.WriteNil();
                }
            }
        }
        else
        {
            writer.WriteMapHeader(kept.Count(r => r.End.Value > r.Start.Value) + leftOut.Count);
            foreach (var range in kept)
            {
                writer.WriteRaw(stored[range]);
            }

            for (var i = 0; i < leftOut.Count; i++)
            {
                if (leftOut[i].Tag != 0)
                {
                    writer.Write(leftOut[i].Tag);
                }
                else
                {
                    writer.WriteString(leftOut[i].Name);
                }

                writer.Write(Schema.EarlierLeftOutValue(document, i));
            }
        }

        writer.Flush();
        return held.Buffer.WrittenSpan;
    }

    private static int IndexOfTag(IReadOnlyList<(int Tag, string Name)> members, int tag)
    {
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i].Tag == tag)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Which of <paramref name="members"/> the map key at the reader is (a tagged member by its tag alone, an untagged one
    /// by its name alone, as generated readers match them), or -1; consumes nothing.
    /// </summary>
    private static int LeftOutKeyed(ref MessagePackReader reader, IReadOnlyList<(int Tag, string Name)> members)
    {
        var probe = reader;
        if (probe.TryReadInt32(out var tag))
        {
            return tag == 0 ? -1 : IndexOfTag(members, tag);
        }

        if (probe.PeekType() != MessagePackType.String)
        {
            return -1;
        }

        var name = probe.ReadStringSpan();
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i].Tag == 0 && name.SequenceEqual(Encoding.UTF8.GetBytes(members[i].Name)))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Materializes a document stored under <paramref name="key"/> in the earlier key encoding (<see cref="Decode"/>
    /// otherwise). One this type cannot decode refuses the move as <see cref="DecodeStored"/> refuses a write: the
    /// constructor's transaction is rolled back, so nothing of the move is committed, and the earlier version of the
    /// collection, which reads the key as stored, deletes the document.
    /// </summary>
    /// <exception cref="PersistenceSerializationException">The document cannot be decoded; the message names its key as
    /// the earlier version reads it and the way out, the decoder's failure is the inner exception.</exception>
    private T DecodeUnderEarlierKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> bytes)
    {
        try
        {
            var reader = new MessagePackReader(bytes);
            var document = Schema.DeserializeUnderEarlierKey(ref reader, key);
            return reader.End ? document : throw TrailingBytes(key, bytes.Length - reader.Position);
        }
        catch (PersistenceSerializationException failure)
        {
            throw new PersistenceSerializationException(
                $"The document stored under the key {DescribeEarlierKey(key)} in '{Name}' cannot be decoded as {typeof(T).Name}, so the collection "
                + "cannot be constructed: its documents are stored under the earlier encoding of their keys (a DateTimeOffset part with its offset, "
                + "a DateTime one with its own Kind) and each is decoded to be moved under its key as now encoded. Nothing of the move was committed. "
                + "Open the collection with the earlier version and Delete(key) it there (which removes it with every index and expiry entry "
                + $"naming it), then construct this one again. {failure.Message}",
                failure);
        }
    }

    /// <summary>
    /// A primary key stored in the earlier encoding, for a message: its parts as the earlier version reads them
    /// (<see cref="KeyDescription"/>), then its bytes; the bytes alone when a part's encoding is not one that reads, or
    /// the key does not read whole.
    /// </summary>
    private string DescribeEarlierKey(ReadOnlySpan<byte> key)
    {
        var hex = Convert.ToHexString(key);
        return KeyDescription.Parts(key, [.. Schema.KeyEncodings.Select(EarlierEncoding)]) is { } parts ? $"{parts} (0x{hex})" : $"0x{hex}";
    }

    /// <summary>
    /// The refusal of a move: the document stored under <paramref name="earlierKey"/> and the one moved before it under
    /// <paramref name="key"/> collide. Each is named by its earlier key, as the earlier version reads it (with its offset
    /// and Kind), which tells the two apart and is what that version is given to delete or change one: the key they now
    /// share names both alike (a composite key's parts are read back as now encoded, in UTC).
    /// </summary>
    private DocumentException KeysCollide(WriteTransaction tx, Keyspace keys, byte[] key, byte[] earlierKey)
    {
        var first = tx.Scan(keys).First(p => p.Value.AsSpan().SequenceEqual(key)).Key;
        return new DocumentException(ErrorCode.PrimaryKeysCollide, Name,
            $"The documents of '{Name}' with the keys {DescribeEarlierKey(first)} and {DescribeEarlierKey(earlierKey)} have one primary key now that a "
            + "DateTimeOffset key part is its instant and a DateTime one is held as stored, in UTC (one instant at two offsets, or a Local and a "
            + "UTC or Unspecified DateTime of one instant), so they cannot be moved under their keys: nothing was written. Open the collection "
            + "with the earlier version and delete or change one of them, or copy the documents into a collection of another name.");
    }
}
