using static Persistence.Tests.Serialization.KeyTesting;

namespace Persistence.Tests.Serialization;

/// <summary>
/// One key part type under test: how to write and read it, the .NET order its keys must reproduce, what a value reads
/// back as, and how to show a value in a failure message.
/// </summary>
internal sealed class KeyCodec<T>(string name, PartWrite<T> write, PartRead<T> read, Comparison<T> compare)
{
    public string Name { get; } = name;

    public PartWrite<T> Write { get; } = write;

    public PartRead<T> Read { get; } = read;

    public Comparison<T> Compare { get; } = compare;

    /// <summary>The value a key reads back as (identity unless the encoding normalizes).</summary>
    public Func<T, T> Normalize { get; init; } = v => v;

    /// <summary>Exact identity, stricter than Equals where that matters (decimal scale, DateTime kind, NaN bits).</summary>
    public Func<T, T, bool> Same { get; init; } = (a, b) => EqualityComparer<T>.Default.Equals(a, b);

    public Func<T, string> Show { get; init; } = v => v?.ToString() ?? "null";

    /// <summary>
    /// For every pair: the sign of the unsigned byte comparison of the keys equals the sign of <see cref="Compare"/>
    /// (negated for descending keys), and every key reads back as the normalized value and re-encodes identically.
    /// </summary>
    public void CheckOrdering(IReadOnlyList<T> edges, Func<Random, T> generate, int randomPairs = 3000)
    {
        var random = new Random(Seed ^ StableHash(Name));
        var values = new List<T>(edges);
        for (int i = 0; i < 2 * randomPairs; i++)
        {
            values.Add(generate(random));
        }

        var pairs = new List<(int, int)>();
        for (int i = 0; i < edges.Count; i++)
        {
            for (int j = 0; j < edges.Count; j++)
            {
                pairs.Add((i, j));
            }
        }

        for (int i = 0; i < randomPairs; i++)
        {
            pairs.Add((random.Next(values.Count), random.Next(values.Count)));
            pairs.Add((edges.Count + (2 * i), edges.Count + (2 * i) + 1));
        }

        foreach (bool descending in new[] { false, true })
        {
            byte[][] keys = values.Select(v => Encode(Write, v, descending)).ToArray();
            for (int i = 0; i < values.Count; i++)
            {
                CheckRoundTrip(values[i], keys[i], descending);
            }

            foreach ((int a, int b) in pairs)
            {
                int expected = Math.Sign(Compare(values[a], values[b])) * (descending ? -1 : 1);
                int actual = CompareKeys(keys[a], keys[b]);
                Assert.True(
                    expected == actual,
                    $"{Name}{(descending ? " descending" : "")}: {Show(values[a])} vs {Show(values[b])} should compare " +
                    $"{expected} but the keys {Hex(keys[a])} and {Hex(keys[b])} compare {actual} {SeedNote}");
            }
        }
    }

    // string.GetHashCode is randomized per process; the seed must reproduce the same values in every run.
    private static int StableHash(string text) => text.Aggregate(17, (hash, c) => unchecked((hash * 31) + c));

    private void CheckRoundTrip(T value, byte[] key, bool descending)
    {
        PartRead<T> read = Read;
        T decoded = Decode(key, (ref Persistence.Serialization.KeyReader r) => read(ref r, descending));
        T expected = Normalize(value);
        Assert.True(
            Same(expected, decoded),
            $"{Name}: {Show(value)} read back as {Show(decoded)}, expected {Show(expected)}; key {Hex(key)} {SeedNote}");
        Assert.True(
            key.AsSpan().SequenceEqual(Encode(Write, decoded, descending)),
            $"{Name}: re-encoding {Show(decoded)} changed its key {Hex(key)} {SeedNote}");
    }
}
