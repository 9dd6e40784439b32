using System.Buffers.Binary;
using Persistence.Query;

namespace Persistence.Tests.Query;

/// <summary><see cref="KeyRanges.Intersect"/> against a brute-force reference: every two-byte key, in both lists or not.</summary>
public sealed class KeyRangesTests
{
    private const int Keys = 1 << 16;

    [Theory]
    [InlineData(1, 5000, 5000)]
    [InlineData(2, 4096, 3)]
    [InlineData(3, 1, 6000)]
    [InlineData(4, 300, 7000)]
    public void Intersect_of_large_lists_holds_exactly_the_keys_in_both(int seed, int leftCount, int rightCount)
    {
        var random = new Random(seed);
        for (var round = 0; round < 20; round++)
        {
            var left = RandomRanges(random, leftCount);
            var right = RandomRanges(random, rightCount);
            var result = KeyRanges.Intersect(left, right);

            var expected = Members(left);
            var inRight = Members(right);
            for (var k = 0; k < Keys; k++)
            {
                expected[k] &= inRight[k];
            }

            Assert.Equal(expected, Members(result));
            AssertAscendingDisjointAndNonEmpty(result);
            Assert.Equal(KeyRanges.Intersect(right, left).Select(Show), result.Select(Show)); // symmetric
        }
    }

    [Fact]
    public void Intersect_with_an_empty_list_or_everything()
    {
        var ranges = RandomRanges(new Random(5), 100);
        Assert.Empty(KeyRanges.Intersect(ranges, []));
        Assert.Empty(KeyRanges.Intersect([], ranges));
        Assert.Equal(ranges.Select(Show), KeyRanges.Intersect(ranges, [KeyRange.All]).Select(Show));
        Assert.Equal(ranges.Select(Show), KeyRanges.Intersect([KeyRange.All], ranges).Select(Show));
    }

    /// <summary>
    /// Ascending disjoint ranges over the two-byte keys, lower bounds inclusive and upper ones exclusive as conditions make
    /// them; the first may have no lower bound and the last no upper one, and neighbours may touch.
    /// </summary>
    private static List<KeyRange> RandomRanges(Random random, int count)
    {
        var bounds = new SortedSet<int>();
        while (bounds.Count < count * 2)
        {
            bounds.Add(random.Next(Keys));
        }

        var sorted = bounds.ToArray();
        var ranges = new List<KeyRange>();
        for (var i = 0; i < count; i++)
        {
            var lower = i == 0 && random.Next(4) == 0 ? null : Key(sorted[2 * i]);
            var upper = i == count - 1 && random.Next(4) == 0 ? null
                : Key(i < count - 1 && random.Next(5) == 0 ? sorted[(2 * i) + 2] : sorted[(2 * i) + 1]); // touching the next
            ranges.Add((lower, upper) switch
            {
                (null, null) => KeyRange.All,
                (null, _) => KeyRange.To(upper),
                (_, null) => KeyRange.From(lower),
                _ => KeyRange.Between(lower, upper),
            });
        }

        return ranges;
    }

    private static bool[] Members(IReadOnlyList<KeyRange> ranges)
    {
        var members = new bool[Keys];
        foreach (var range in ranges)
        {
            var from = range.HasLower ? Value(range.Lower) : 0;
            var to = range.HasUpper ? Value(range.Upper) : Keys;
            for (var k = from; k < to; k++)
            {
                Assert.False(members[k], "ranges overlap");
                members[k] = true;
            }
        }

        return members;
    }

    private static void AssertAscendingDisjointAndNonEmpty(List<KeyRange> ranges)
    {
        var previous = -1;
        foreach (var range in ranges)
        {
            var from = range.HasLower ? Value(range.Lower) : 0;
            var to = range.HasUpper ? Value(range.Upper) : Keys;
            Assert.True(from < to, "an empty range");
            Assert.True(from >= previous, "ranges out of order");
            previous = to;
        }
    }

    private static string Show(KeyRange range) =>
        $"[{(range.HasLower ? Value(range.Lower) : -1)}, {(range.HasUpper ? Value(range.Upper) : Keys)})";

    private static byte[] Key(int value)
    {
        var key = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(key, (ushort)value);
        return key;
    }

    private static int Value(ReadOnlySpan<byte> key) => BinaryPrimitives.ReadUInt16BigEndian(key);
}
