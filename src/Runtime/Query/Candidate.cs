namespace Persistence.Query;

/// <summary>
/// A document an access path names: its encoded primary key, and the index entries that named it (none for a key from
/// the documents keyspace; two for an intersection's), which the document loaded by the key must produce.
/// </summary>
internal readonly record struct Candidate(byte[] Key, IndexEntry? Entry = null, IndexEntry? Also = null);

/// <summary>An index entry that named a document: the index's number in the schema and the indexed value the entry holds.</summary>
internal readonly record struct IndexEntry(int Index, byte[] Value);
