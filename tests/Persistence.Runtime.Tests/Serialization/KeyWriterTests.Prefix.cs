using Persistence.Serialization;
using static Persistence.Tests.Serialization.KeyTesting;
using static Persistence.Tests.Serialization.KeyValueGenerators;

namespace Persistence.Tests.Serialization;

/// <summary>
/// A StartsWith scan is the range [prefix key, PrefixSuccessor(prefix key)) and must select exactly the keys whose
/// string part starts with the prefix (ordinal), between a fixed leading part and an arbitrary trailing part.
/// </summary>
public sealed partial class KeyWriterTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void String_prefix_ranges_select_exactly_the_keys_that_start_with_the_prefix(bool descending)
    {
        var random = new Random(Seed + (descending ? 1 : 0));
        var rows = Enumerable.Range(0, 400)
            .Select(i => (Lead: random.Next(3), Text: RandomString(random), Id: i))
            .ToList();
        byte[][] keys = rows.Select(row => Encode((ref KeyWriter w) =>
        {
            w.WriteInt32(row.Lead);
            w.WriteString(row.Text, descending);
            w.WriteInt32(row.Id);
        })).ToArray();

        var prefixes = rows.Take(60).Select(row => row.Text[..random.Next(row.Text.Length + 1)])
            .Concat(["", "\0", "\ud800", "\uffff", "\U00010000"[..1]]);
        foreach (string prefix in prefixes)
        {
            byte[] lower = Encode((ref KeyWriter w) =>
            {
                w.WriteInt32(1);
                w.WriteStringPrefix(prefix, descending);
            });
            byte[]? upper = KeyWriter.PrefixSuccessor(lower);
            for (int i = 0; i < rows.Count; i++)
            {
                bool inRange = CompareKeys(keys[i], lower) >= 0 && (upper is null || CompareKeys(keys[i], upper) < 0);
                bool expected = rows[i].Lead == 1 && rows[i].Text.StartsWith(prefix, StringComparison.Ordinal);
                Assert.True(
                    expected == inRange,
                    $"prefix {Show(prefix)}{(descending ? " descending" : "")}: row ({rows[i].Lead}, {Show(rows[i].Text)}) " +
                    $"selected {inRange}, expected {expected} {SeedNote}");
            }
        }
    }

    [Fact]
    public void Byte_prefix_ranges_select_exactly_the_keys_that_start_with_the_prefix()
    {
        var random = new Random(Seed + 2);
        byte[][] values = Enumerable.Range(0, 300).Select(_ => RandomBytes(random)).ToArray();
        byte[][] keys = values.Select(v => Encode((ref KeyWriter w) => w.WriteBytes(v))).ToArray();
        foreach (byte[] value in values.Take(50))
        {
            byte[] prefix = value[..random.Next(value.Length + 1)];
            byte[] lower = Encode((ref KeyWriter w) => w.WriteBytesPrefix(prefix));
            byte[]? upper = KeyWriter.PrefixSuccessor(lower);
            for (int i = 0; i < values.Length; i++)
            {
                bool inRange = CompareKeys(keys[i], lower) >= 0 && (upper is null || CompareKeys(keys[i], upper) < 0);
                Assert.True(
                    values[i].AsSpan().StartsWith(prefix) == inRange,
                    $"prefix [{Convert.ToHexStringLower(prefix)}]: [{Convert.ToHexStringLower(values[i])}] selected {inRange} {SeedNote}");
            }
        }
    }
}
