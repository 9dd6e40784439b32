namespace Persistence;

/// <summary>One keyspace of a salvaged database, in a <see cref="SalvageReport"/>.</summary>
public sealed class SalvagedKeyspace
{
    internal SalvagedKeyspace(string name, long keysRecovered, long keysLost, long pagesSkipped, long valuesSkipped)
    {
        Name = name;
        KeysRecovered = keysRecovered;
        KeysLost = keysLost;
        PagesSkipped = pagesSkipped;
        ValuesSkipped = valuesSkipped;
    }

    /// <summary>The keyspace's name (a typed collection's documents are in <c>name</c>, its indexes in <c>name#index</c>).</summary>
    public string Name { get; }

    /// <summary>The keys the salvaged database holds in this keyspace.</summary>
    public long KeysRecovered { get; }

    /// <summary>
    /// Entries of the checkpoint that could not be recovered: the count its catalog records, less the entries read
    /// intact. They lay under tree pages that failed verification, or their values' overflow pages did. Commits
    /// recovered from the log may have written some of those keys again. 0 for a keyspace the log created.
    /// </summary>
    public long KeysLost { get; }

    /// <summary>Tree pages of this keyspace that failed verification, each skipped with every entry under it.</summary>
    public long PagesSkipped { get; }

    /// <summary>Entries skipped because their value's overflow pages failed verification.</summary>
    public long ValuesSkipped { get; }

    /// <inheritdoc />
    public override string ToString() =>
        KeysLost == 0 ? $"'{Name}': {KeysRecovered} keys" : $"'{Name}': {KeysRecovered} keys, {KeysLost} of the checkpoint's lost";
}
