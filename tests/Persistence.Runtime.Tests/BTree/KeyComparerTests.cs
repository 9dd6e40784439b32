using Persistence.BTree;

namespace Persistence.Tests.BTree;

public sealed class KeyComparerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Orders_like_unsigned_lexicographic_comparison(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 20_000; i++)
        {
            var x = RandomKey(random);
            var y = random.Next(4) == 0 ? Mutate(x, random) : RandomKey(random);
            var expected = Math.Sign(x.AsSpan().SequenceCompareTo(y));
            Assert.Equal(expected, Math.Sign(KeyComparer.Compare(x, y)));
            Assert.Equal(-expected, Math.Sign(KeyComparer.Compare(y, x)));
            Assert.Equal(0, KeyComparer.Compare(x, x.ToArray()));
        }
    }

    [Fact]
    public void A_proper_prefix_sorts_first_across_the_eight_byte_boundary()
    {
        byte[] eight = [1, 2, 3, 4, 5, 6, 7, 8];
        byte[] nine = [1, 2, 3, 4, 5, 6, 7, 8, 0];
        byte[] seven = [1, 2, 3, 4, 5, 6, 7];
        Assert.True(KeyComparer.Compare(eight, nine) < 0);
        Assert.True(KeyComparer.Compare(nine, eight) > 0);
        Assert.True(KeyComparer.Compare(seven, eight) < 0);
        Assert.True(KeyComparer.Compare([0xFF], eight) > 0);
        Assert.True(KeyComparer.Compare([], seven) < 0);
    }

    private static byte[] RandomKey(Random random)
    {
        // Short alphabets make shared prefixes (the interesting case) common.
        var key = new byte[random.Next(0, 20)];
        for (var i = 0; i < key.Length; i++)
        {
            key[i] = (byte)(random.Next(3) == 0 ? random.Next(256) : random.Next(2) * 0xFF);
        }

        return key;
    }

    private static byte[] Mutate(byte[] key, Random random)
    {
        var copy = key.Length == 0 ? [0] : key.ToArray();
        switch (random.Next(3))
        {
            case 0:
                copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                return copy;
            case 1:
                return [.. copy, (byte)random.Next(256)];
            default:
                return copy[..random.Next(copy.Length)];
        }
    }
}
