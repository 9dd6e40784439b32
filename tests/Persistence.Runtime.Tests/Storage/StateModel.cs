namespace Persistence.Tests.Storage;

/// <summary>What a database holds: keyspace name to its entries in key order.</summary>
internal sealed class StateModel
{
    public Dictionary<string, SortedDictionary<byte[], byte[]>> Keyspaces { get; } = [];

    public StateModel Copy()
    {
        var copy = new StateModel();
        foreach (var (name, entries) in Keyspaces)
        {
            copy.Keyspaces[name] = new SortedDictionary<byte[], byte[]>(entries, ByteComparer.Instance);
        }

        return copy;
    }

    public bool SameAs(Dictionary<string, List<KeyValuePair<byte[], byte[]>>> read) =>
        read.Count == Keyspaces.Count
        && Keyspaces.All(k => read.TryGetValue(k.Key, out var entries)
            && entries.Count == k.Value.Count
            && entries.Zip(k.Value).All(p => p.First.Key.AsSpan().SequenceEqual(p.Second.Key) && p.First.Value.AsSpan().SequenceEqual(p.Second.Value)));
}
