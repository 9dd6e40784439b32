namespace Persistence.Collections;

public abstract partial class Collection<T, TKey>
{
    /// <summary>
    /// Verifies that the indexes agree with the documents in one snapshot: every document (expired or not, until
    /// collected) has exactly its entry in every index and in the expiry index, and every entry refers to a document
    /// whose values produce it. Returns the problems found (none when consistent). Reads the whole collection.
    /// </summary>
    /// <remarks>
    /// A document this type cannot decode is reported once, with its key and the reason, and the check goes on: the
    /// entries naming it are taken for its own (its values are unknown), not reported as entries no document produces.
    /// <see cref="Delete"/> removes such a document with them.
    /// </remarks>
    public IReadOnlyList<string> CheckConsistency(Transaction? transaction = null) => Read(transaction, tx =>
    {
        var problems = new List<string>();
        var expected = new HashSet<string>[Schema.Indexes.Count];
        for (var i = 0; i < expected.Length; i++)
        {
            expected[i] = new HashSet<string>(StringComparer.Ordinal);
        }

        var expectedExpiry = new HashSet<string>(StringComparer.Ordinal);
        var undecodable = new HashSet<byte[]>(ByteArrayComparer.Instance);
        using (var cursor = tx.OpenCursor(Documents))
        {
            for (var ok = cursor.First(); ok; ok = cursor.Next())
            {
                var key = cursor.Key.ToArray();
                T document;
                try
                {
                    document = Decode(key, cursor.Value);
                }
                catch (PersistenceSerializationException ex)
                {
                    problems.Add($"Document {DescribeKey(key)} of '{Name}' cannot be decoded: {ex.Message} Delete(key) removes it with the entries naming it.");
                    undecodable.Add(key);
                    continue;
                }

                if (!EncodeKey(Schema.GetKey(document)).AsSpan().SequenceEqual(key))
                {
                    problems.Add($"Document {Convert.ToHexString(key)} of '{Name}' is stored under a key that is not its primary key.");
                }

                for (var i = 0; i < expected.Length; i++)
                {
                    if (EncodeIndexValue(i, document) is { } value)
                    {
                        expected[i].Add(Convert.ToHexString(EntryKey(i, value, key)) + ":" + (Schema.Indexes[i].Unique ? Convert.ToHexString(key) : ""));
                    }
                }

                if (HasExpiry && ExpiryOf(tx, key, document) is { } expiry)
                {
                    expectedExpiry.Add(Convert.ToHexString(ExpiryEntry(expiry, key)));
                }
            }
        }

        if (undecodable.Count > 0)
        {
            var lookup = undecodable.GetAlternateLookup<ReadOnlySpan<byte>>();
            ForEachEntryNaming(tx, lookup.Contains, (keyspace, entry, value) =>
            {
                var index = Array.IndexOf(_indexKeyspaces, keyspace);
                (index < 0 ? expectedExpiry : expected[index]).Add(Convert.ToHexString(entry) + (index < 0 ? "" : ":" + Convert.ToHexString(value)));
            });
        }

        for (var i = 0; i < expected.Length; i++)
        {
            Compare(tx, IndexKeyspace(i), expected[i], $"index '{Schema.Indexes[i].Name}'", withValue: true, problems);
        }

        if (_expiryIndex is not null)
        {
            Compare(tx, _expiryIndex, expectedExpiry, "the expiry index", withValue: false, problems);
        }

        return (IReadOnlyList<string>)problems;
    });

    private void Compare(Transaction tx, Keyspace keyspace, HashSet<string> expected, string what, bool withValue, List<string> problems)
    {
        var actual = new HashSet<string>(StringComparer.Ordinal);
        using var cursor = tx.OpenCursor(keyspace);
        for (var ok = cursor.First(); ok; ok = cursor.Next())
        {
            actual.Add(Convert.ToHexString(cursor.Key) + (withValue ? ":" + Convert.ToHexString(cursor.Value) : ""));
        }

        foreach (var missing in expected.Except(actual).Take(10))
        {
            problems.Add($"In '{Name}', {what} lacks the entry {missing}.");
        }

        foreach (var orphan in actual.Except(expected).Take(10))
        {
            problems.Add($"In '{Name}', {what} has an entry no document produces: {orphan}.");
        }
    }
}
