using Persistence.Serialization;
using static Persistence.Tests.Serialization.KeyTesting;
using static Persistence.Tests.Serialization.KeyValueGenerators;

namespace Persistence.Tests.Serialization;

/// <summary>
/// Composite keys are the concatenation of their parts and must order as the lexicographic comparison of the tuples,
/// each part in its own direction, nullable parts with null first (ascending) or last (descending).
/// </summary>
public sealed partial class KeyWriterTests
{
    private sealed record Part(
        string Name,
        bool Descending,
        Func<Random, object?> Generate,
        Comparison<object?> Compare,
        PartWrite<object?> Write,
        PartRead<object?> Read,
        Func<object?, object?, bool> Same);

    private static Part Of<T>(KeyCodec<T> codec, Func<Random, T> generate, bool descending = false) => new(
        codec.Name + (descending ? " desc" : ""),
        descending,
        r => generate(r),
        (a, b) => codec.Compare((T)a!, (T)b!),
        (ref KeyWriter w, object? v, bool d) => codec.Write(ref w, (T)v!, d),
        (ref KeyReader r, bool d) => codec.Read(ref r, d),
        (expected, actual) => codec.Same(codec.Normalize((T)expected!), (T)actual!));

    /// <summary>The nullable form of a part, written and read through the typed nullable methods.</summary>
    private static Part Nullable(Part inner, PartWrite<object?> write, PartRead<object?> read) => inner with
    {
        Name = inner.Name + "?",
        Generate = r => r.Next(4) == 0 ? null : inner.Generate(r),
        Compare = (a, b) => a is null ? (b is null ? 0 : -1) : b is null ? 1 : inner.Compare(a, b),
        Write = write,
        Read = read,
        Same = (a, b) => a is null ? b is null : b is not null && inner.Same(a, b),
    };

    // Small domains, so that earlier parts are often equal and later parts decide.
    private static int SmallInt(Random r) => r.Next(-2, 3);

    private static string ShortString(Random r) => RandomString(r) is { Length: > 2 } s ? s[..2] : RandomString(r);

    public static TheoryData<int> Layouts => [0, 1, 2, 3, 4];

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Composite_keys_order_as_tuples(int layout)
    {
        Part[] parts = layout switch
        {
            0 => [Of(KeyCodecs.Int32, SmallInt), Of(KeyCodecs.String, ShortString, descending: true)],
            1 => [Nullable(Of(KeyCodecs.String, ShortString), (ref KeyWriter w, object? v, bool d) => w.WriteNullableString((string?)v, d),
                    (ref KeyReader r, bool d) => r.ReadNullableString(d)),
                Of(KeyCodecs.Int64, r => (long)SmallInt(r), descending: true)],
            2 => [Of(KeyCodecs.Decimal, r => DecimalEdges[r.Next(8, 20)], descending: true),
                Nullable(Of(KeyCodecs.String, ShortString, descending: true), (ref KeyWriter w, object? v, bool d) => w.WriteNullableString((string?)v, d),
                    (ref KeyReader r, bool d) => r.ReadNullableString(d)),
                Of(KeyCodecs.Guid, r => new Guid(r.Next(3), 0, 0, new byte[8]))],
            3 => [Nullable(Of(KeyCodecs.Double, r => DoubleEdges[r.Next(DoubleEdges.Length)], descending: true),
                    (ref KeyWriter w, object? v, bool d) => w.WriteNullableDouble((double?)v, d), (ref KeyReader r, bool d) => r.ReadNullableDouble(d)),
                Of(KeyCodecs.Bytes, r => RandomBytes(r).Take(2).ToArray()),
                Of(KeyCodecs.DateTime, r => new DateTime(r.Next(3), (DateTimeKind)r.Next(3)), descending: true)],
            _ => [Of(KeyCodecs.Boolean, r => r.Next(2) == 0, descending: true),
                Nullable(Of(KeyCodecs.Int32, SmallInt, descending: true), (ref KeyWriter w, object? v, bool d) => w.WriteNullableInt32((int?)v, d),
                    (ref KeyReader r, bool d) => r.ReadNullableInt32(d)),
                Of(KeyCodecs.String, ShortString)],
        };
        CheckComposite(parts, layout);
    }

    private static void CheckComposite(Part[] parts, int layout)
    {
        var random = new Random(Seed + layout);
        string shape = string.Join(", ", parts.Select(p => p.Name));
        for (int i = 0; i < 3000; i++)
        {
            object?[] a = parts.Select(p => p.Generate(random)).ToArray();
            object?[] b = random.Next(4) == 0 ? (object?[])a.Clone() : parts.Select(p => p.Generate(random)).ToArray();
            byte[] keyA = EncodeTuple(parts, a);
            byte[] keyB = EncodeTuple(parts, b);

            int expected = 0;
            for (int p = 0; p < parts.Length && expected == 0; p++)
            {
                expected = Math.Sign(parts[p].Compare(a[p], b[p])) * (parts[p].Descending ? -1 : 1);
            }

            int actual = CompareKeys(keyA, keyB);
            Assert.True(
                expected == actual,
                $"({shape}): ({Describe(a)}) vs ({Describe(b)}) should compare {expected} but keys {Hex(keyA)} and {Hex(keyB)} " +
                $"compare {actual} {SeedNote}");

            var reader = new KeyReader(keyA);
            for (int p = 0; p < parts.Length; p++)
            {
                object? decoded = parts[p].Read(ref reader, parts[p].Descending);
                Assert.True(parts[p].Same(a[p], decoded), $"({shape}) part {p} of ({Describe(a)}) read back wrong {SeedNote}");
            }

            Assert.True(reader.End, $"({shape}): key {Hex(keyA)} has bytes left after its parts {SeedNote}");
        }
    }

    private static byte[] EncodeTuple(Part[] parts, object?[] values) => Encode((ref KeyWriter w) =>
    {
        for (int p = 0; p < parts.Length; p++)
        {
            parts[p].Write(ref w, values[p], parts[p].Descending);
        }
    });

    private static string Describe(object?[] values) => string.Join(", ", values.Select(v => v switch
    {
        null => "null",
        string s => Show(s),
        byte[] bytes => "[" + Convert.ToHexStringLower(bytes) + "]",
        double d => Show(d),
        _ => v.ToString(),
    }));
}
