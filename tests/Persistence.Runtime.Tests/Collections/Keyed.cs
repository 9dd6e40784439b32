namespace Persistence.Tests.Collections;

/// <summary>
/// A document type keyed by any key type, for KeyDescriptionTests. The generator does not emit code for a generic
/// type, so its schema is written by hand: the key is written and read by the delegates the schema is built with, under
/// the encoding names the generator would record for it, and a stored key must end where its reader stops, as a
/// generated schema's decoder checks.
/// </summary>
public sealed class Keyed<TKey>
{
    public required TKey Key { get; init; }

    public string Note { get; set; } = "";
}

public sealed class KeyedCollection<TKey>(global::Persistence.Database database, KeyedSchema<TKey> schema)
    : global::Persistence.Collections.Collection<Keyed<TKey>, TKey>(database, schema);

/// <summary>Reads a key the way a generated schema's ReadKey does.</summary>
public delegate TKey KeyPartReader<TKey>(ref global::Persistence.Serialization.KeyReader reader);

public sealed class KeyedSchema<TKey>(string name, string[] keyEncodings,
    global::Persistence.Collections.KeyPartWriter<TKey> writeKey, KeyPartReader<TKey> readKey)
    : global::Persistence.Collections.DocumentSchema<Keyed<TKey>, TKey>(name, [], keyEncodings)
{
    public override TKey GetKey(Keyed<TKey> document) => document.Key;

    public override void WriteKey(ref global::Persistence.Serialization.KeyWriter writer, TKey key) => writeKey(ref writer, key);

    public override TKey ReadKey(ref global::Persistence.Serialization.KeyReader reader) => readKey(ref reader);

    public override void Serialize(ref global::Persistence.Serialization.MessagePackWriter writer, Keyed<TKey> document)
    {
        writer.WriteMapHeader(1);
        writer.WriteStringUtf8("Note"u8);
        writer.WriteString(document.Note);
    }

    public override Keyed<TKey> Deserialize(ref global::Persistence.Serialization.MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey)
    {
        var keyReader = new global::Persistence.Serialization.KeyReader(primaryKey);
        var key = readKey(ref keyReader);
        keyReader.ReadEnd();
        var note = "";
        var count = reader.ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            if (reader.ReadStringSpan().SequenceEqual("Note"u8))
            {
                note = reader.ReadNullableString() ?? "";
            }
            else
            {
                reader.Skip();
            }
        }

        return new Keyed<TKey> { Key = key, Note = note };
    }
}
