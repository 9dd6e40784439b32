using System.ComponentModel;
using Persistence.Serialization;

namespace Persistence.Collections;

/// <summary>
/// Everything the runtime needs to store documents of type <typeparamref name="T"/>: their primary key, serializer and
/// indexes. The source generator emits one sealed subclass per <see cref="CollectionAttribute"/> type; the runtime
/// calls it without reflection.
/// Public for generated code only, and hidden from IntelliSense ([EditorBrowsable(Never)]); not meant for application code.
/// </summary>
/// <typeparam name="T">The document type.</typeparam>
/// <typeparam name="TKey">The primary key type (a generated record struct for composite keys).</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class DocumentSchema<T, TKey>
    where T : class
{
    /// <summary>
    /// Creates the schema without the primary key's encoding, as code generated before it was recorded did: a change of
    /// the key's encoding is then not detected (<see cref="KeyEncodings"/>).
    /// </summary>
    protected DocumentSchema(string collectionName, IReadOnlyList<IndexSchema<T>> indexes)
        : this(collectionName, indexes, [])
    {
    }

    /// <summary>
    /// Creates the schema without naming its <see cref="ExpiresAtAttribute"/> member, as code generated before it was
    /// recorded did, and as a type without one does: a move of the attribute to another member is then not detected
    /// (<see cref="ExpiresAtMember"/>).
    /// </summary>
    /// <param name="collectionName">The collection name.</param>
    /// <param name="indexes">The secondary indexes, in declaration order.</param>
    /// <param name="keyEncodings">
    /// The key encoding of each primary-key member, in key order (see <see cref="KeyEncodings"/>); empty when not known.
    /// </param>
    protected DocumentSchema(string collectionName, IReadOnlyList<IndexSchema<T>> indexes, IReadOnlyList<string> keyEncodings)
        : this(collectionName, indexes, keyEncodings, null)
    {
    }

    /// <summary>Creates the schema of a type with an <see cref="ExpiresAtAttribute"/> member.</summary>
    /// <param name="collectionName">The collection name.</param>
    /// <param name="indexes">The secondary indexes, in declaration order.</param>
    /// <param name="keyEncodings">
    /// The key encoding of each primary-key member, in key order (see <see cref="KeyEncodings"/>); empty when not known.
    /// </param>
    /// <param name="expiresAtMember">
    /// The name of the member <see cref="GetExpiresAt"/> reads (see <see cref="ExpiresAtMember"/>); null when not known.
    /// </param>
    protected DocumentSchema(string collectionName, IReadOnlyList<IndexSchema<T>> indexes, IReadOnlyList<string> keyEncodings,
        string? expiresAtMember)
    {
        ArgumentNullException.ThrowIfNull(keyEncodings);
        CollectionName = collectionName;
        Indexes = indexes;
        KeyEncodings = keyEncodings;
        ExpiresAtMember = expiresAtMember;
    }

    /// <summary>The collection name; documents live in the keyspace of that name.</summary>
    public string CollectionName { get; }

    /// <summary>The secondary indexes, in declaration order.</summary>
    public IReadOnlyList<IndexSchema<T>> Indexes { get; }

    /// <summary>
    /// The key encoding of each primary-key member, in key order, named as <see cref="IndexSchema{T}.Encodings"/> names
    /// them, except that a DateTime part is "DateTimeUtc" (held as stored, in UTC; an index's DateTime is "DateTime").
    /// Index entries hold the encoded primary key (the expiry index's too), so the collection records it with each
    /// index and builds the indexes again when it changes. The documents themselves stay under the keys they were written
    /// with: a type whose key encodes differently cannot find them (see the README on changing a primary key's type),
    /// except documents stored under the earlier encoding of DateTime and DateTimeOffset parts ("DateTime" and
    /// "DateTimeOffset"), which the collection moves under their keys once (<see cref="DeserializeUnderEarlierKey"/>).
    /// Empty when not known.
    /// </summary>
    public IReadOnlyList<string> KeyEncodings { get; }

    /// <summary>The primary key of a document.</summary>
    public abstract TKey GetKey(T document);

    /// <summary>
    /// Writes the order-preserving encoding of a primary key: a DateTime part as the stored document reads it back
    /// (<see cref="MessagePackWriter.StoredDateTime(DateTime)"/>), a DateTimeOffset part as its instant alone
    /// (<see cref="KeyWriter.WriteDateTimeOffsetInstant"/>), so that a document's key is the key of that document read
    /// back, and keys equal as <see cref="DateTimeOffset.Equals(DateTimeOffset)"/> has it are one key.
    /// </summary>
    public abstract void WriteKey(ref KeyWriter writer, TKey key);

    /// <summary>
    /// Decodes a primary key written by <see cref="WriteKey"/>: a DateTime part comes back in UTC, a DateTimeOffset part
    /// as its instant at offset zero (the key does not hold the offset; the document does).
    /// </summary>
    public abstract TKey ReadKey(ref KeyReader reader);

    /// <summary>
    /// Writes the document as a MessagePack map (an array when its members are tagged 1 to n), without the primary-key
    /// members that the key holds exactly (see docs/SERIALIZATION.md): the document is stored under its key, so they
    /// would be stored twice.
    /// </summary>
    public abstract void Serialize(ref MessagePackWriter writer, T document);

    /// <summary>
    /// Reads a document written by this or an earlier or later version of the type (unknown fields are skipped, missing
    /// ones keep their defaults). The primary-key members that <see cref="Serialize"/> leaves out are read from
    /// <paramref name="primaryKey"/>, the encoded primary key the document is stored under.
    /// </summary>
    public abstract T Deserialize(ref MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey);

    /// <summary>
    /// Reads a document stored under <paramref name="primaryKey"/> in the earlier encoding of its key, which held a
    /// DateTime part with its own Ticks and Kind and a DateTimeOffset part with its offset (recorded as "DateTime" and
    /// "DateTimeOffset"; a document then left out a DateTimeOffset key member, which that key held exactly). The
    /// collection calls it once, when it finds its documents recorded under that encoding, to store each again under
    /// its key as <see cref="WriteKey"/> writes it. The default, <see cref="Deserialize"/>, is right for a key without
    /// such parts, which never has an earlier encoding.
    /// </summary>
    public virtual T DeserializeUnderEarlierKey(ref MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey) =>
        Deserialize(ref reader, primaryKey);

    /// <summary>
    /// The primary-key members that documents stored under the earlier encoding of the key left out, since that key held
    /// them exactly, and that documents hold now (DateTimeOffset members: the key no longer holds the offset), each as the
    /// document keys it: its [Field] tag (element tag - 1 of an array), or 0 and its name. The collection writes them into
    /// the stored bytes when it moves such documents (<see cref="EarlierLeftOutValue"/>), rather than serializing each
    /// document again, which would drop the members this version of the type does not know. Empty by default.
    /// </summary>
    public virtual IReadOnlyList<(int Tag, string Name)> EarlierLeftOutMembers => [];

    /// <summary>The value of the <paramref name="member"/>th of <see cref="EarlierLeftOutMembers"/> in <paramref name="document"/>.</summary>
    public virtual DateTimeOffset EarlierLeftOutValue(T document, int member) => throw new ArgumentOutOfRangeException(nameof(member));

    /// <summary>True for types with an <see cref="ExpiresAtAttribute"/> member.</summary>
    public virtual bool HasExpiresAt => false;

    /// <summary>
    /// The name of the <see cref="ExpiresAtAttribute"/> member, as an index names its members
    /// (<see cref="IndexSchema{T}.Members"/>); read only when <see cref="HasExpiresAt"/>. The expiry index's entries are
    /// that member's values, so the collection records it with the index and builds the index again when the attribute
    /// moves to another member: the collector deletes documents by the entries, while reads go by the member.
    /// Null when not known (code generated before it was recorded, or a hand-written schema that does not give it):
    /// such a schema's expiry index is trusted as before, without a move being detected.
    /// </summary>
    internal string? ExpiresAtMember { get; }

    /// <summary>When the document expires, for types with an <see cref="ExpiresAtAttribute"/> member; null otherwise.</summary>
    public virtual DateTimeOffset? GetExpiresAt(T document) => null;
}
