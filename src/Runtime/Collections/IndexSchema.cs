using System.ComponentModel;
using Persistence.Serialization;

namespace Persistence.Collections;

/// <summary>
/// One secondary index of a document type, emitted by the source generator. Entries live in the keyspace
/// <c>collection#name</c>: for a unique index the key is the indexed value(s) and the value the document's primary
/// key; otherwise the key is the indexed value(s) followed by the primary key, and the value is empty (the primary
/// key is found by <see cref="SkipKey"/>, which saves storing it twice).
/// Public for generated code only, and hidden from IntelliSense ([EditorBrowsable(Never)]); not meant for application code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class IndexSchema<T>
    where T : class
{
    /// <summary>
    /// Creates the index description without the members' key encodings, as code generated before they were recorded
    /// did: a change of a member's encoding under the same name is then not detected (<see cref="Encodings"/>).
    /// </summary>
    protected IndexSchema(string name, bool unique, IReadOnlyList<string> members)
        : this(name, unique, members, [])
    {
    }

    /// <summary>Creates the index description.</summary>
    /// <param name="name">The index name.</param>
    /// <param name="unique">True when two documents may not share the indexed value(s).</param>
    /// <param name="members">The indexed members, in key order.</param>
    /// <param name="encodings">
    /// The key encoding of each member, in the order of <paramref name="members"/> (see <see cref="Encodings"/>); empty
    /// when not known.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="encodings"/> is neither empty nor one per member.</exception>
    protected IndexSchema(string name, bool unique, IReadOnlyList<string> members, IReadOnlyList<string> encodings)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(encodings);
        if (encodings.Count != 0 && encodings.Count != members.Count)
        {
            throw new ArgumentException($"Index {name} has {members.Count} members but {encodings.Count} encodings.", nameof(encodings));
        }

        Name = name;
        Unique = unique;
        Members = members;
        Encodings = encodings;
    }

    /// <summary>The index name (the accessor is <c>By{Name}</c>).</summary>
    public string Name { get; }

    /// <summary>True when two documents may not share the indexed value(s).</summary>
    public bool Unique { get; }

    /// <summary>The indexed members, in key order.</summary>
    public IReadOnlyList<string> Members { get; }

    /// <summary>
    /// The key encoding of each indexed member, in key order: the name of the <see cref="KeyWriter"/> method whose bytes
    /// <see cref="WriteKey"/> writes for it ("Int64", "NullableString", "DateTimeOffset"). Types that write the same
    /// bytes share a name (int and long are both "Int64", an enum is its underlying integer), so a change between them
    /// keeps the entries. The collection records them with the index, and builds the index again when they change.
    /// Empty when not known.
    /// </summary>
    public IReadOnlyList<string> Encodings { get; }

    /// <summary>
    /// Writes the order-preserving encoding of the document's indexed value(s). Returns false when the document has
    /// no entry in this index: a unique index does not index documents whose indexed values are all null (as in SQL,
    /// nulls never collide).
    /// </summary>
    public abstract bool WriteKey(ref KeyWriter writer, T document);

    /// <summary>Reads past the indexed value(s) of an entry key, leaving the reader at the primary key (non-unique indexes).</summary>
    public abstract void SkipKey(ref KeyReader reader);
}

/// <summary>
/// Writes one value as an order-preserving key part (used by typed index accessors and query fields).
/// Public for generated code only, and hidden from IntelliSense ([EditorBrowsable(Never)]); not meant for application code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate void KeyPartWriter<in TValue>(ref KeyWriter writer, TValue value);
