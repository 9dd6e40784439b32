using Persistence.Serialization;

namespace Persistence.Collections;

/// <summary>
/// One secondary index of a document type, emitted by the source generator. Entries live in the keyspace
/// <c>collection#name</c>: for a unique index the key is the indexed value(s) and the value the document's primary
/// key; otherwise the key is the indexed value(s) followed by the primary key, and the value is empty (the primary
/// key is found by <see cref="SkipKey"/>, which saves storing it twice).
/// </summary>
public abstract class IndexSchema<T>
    where T : class
{
    /// <summary>Creates the index description.</summary>
    protected IndexSchema(string name, bool unique, IReadOnlyList<string> members)
    {
        Name = name;
        Unique = unique;
        Members = members;
    }

    /// <summary>The index name (the accessor is <c>By{Name}</c>).</summary>
    public string Name { get; }

    /// <summary>True when two documents may not share the indexed value(s).</summary>
    public bool Unique { get; }

    /// <summary>The indexed members, in key order.</summary>
    public IReadOnlyList<string> Members { get; }

    /// <summary>
    /// Writes the order-preserving encoding of the document's indexed value(s). Returns false when the document has
    /// no entry in this index: a unique index does not index documents whose indexed values are all null (as in SQL,
    /// nulls never collide).
    /// </summary>
    public abstract bool WriteKey(ref KeyWriter writer, T document);

    /// <summary>Reads past the indexed value(s) of an entry key, leaving the reader at the primary key (non-unique indexes).</summary>
    public abstract void SkipKey(ref KeyReader reader);
}

/// <summary>Writes one value as an order-preserving key part (used by typed index accessors and query fields).</summary>
public delegate void KeyPartWriter<in TValue>(ref KeyWriter writer, TValue value);
