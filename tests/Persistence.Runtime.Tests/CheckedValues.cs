using System.Buffers.Binary;

namespace Persistence.Tests;

/// <summary>
/// Keys and self-checking values for tests that must notice a page's bytes showing up where another page's belong: a
/// value names its key and round and is padded with a pattern of both.
/// </summary>
public static class CheckedValues
{
    public static byte[] Key(int i)
    {
        var key = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(key, i);
        return key;
    }

    public static int KeyOf(ReadOnlySpan<byte> key) => BinaryPrimitives.ReadInt32BigEndian(key);

    public static byte[] Value(int i, int round) => Checked(40, i, round, keyFactor: 31, roundFactor: 7);

    /// <summary>The value's round, or -1 when the bytes are not a value written for key <paramref name="i"/>.</summary>
    public static int Round(int i, ReadOnlySpan<byte> value)
    {
        if (value.Length != 40 || BinaryPrimitives.ReadInt32BigEndian(value) != i)
        {
            return -1;
        }

        var round = BinaryPrimitives.ReadInt32BigEndian(value[4..]);
        return value.SequenceEqual(Value(i, round)) ? round : -1;
    }

    /// <summary>
    /// Keyspace <paramref name="ks"/> holds keys 0 to <paramref name="keys"/> - 1, each with its value of the round
    /// <paramref name="expectedRound"/> gives, and nothing else; and the file is consistent.
    /// </summary>
    public static void AssertEveryRound(Database db, Keyspace ks, int keys, Func<int, int> expectedRound)
    {
        using var read = db.BeginRead();
        var count = 0;
        foreach (var (key, value) in read.Scan(ks))
        {
            var i = KeyOf(key);
            Assert.Equal(expectedRound(i), Round(i, value));
            count++;
        }

        Assert.Equal(keys, count);
        TestDatabases.AssertConsistent(db);
    }

    /// <summary>A value past the inline limit (stored in overflow pages), checkable like <see cref="Value"/>.</summary>
    public static byte[] BigValue(int i, int round) => Checked(1500 + (i % 13), i, round, keyFactor: 13, roundFactor: 5);

    /// <summary>The round of a big value written for key <paramref name="i"/>, or -1 when the bytes are not one.</summary>
    public static int BigRound(int i, ReadOnlySpan<byte> value)
    {
        if (value.Length < 8 || BinaryPrimitives.ReadInt32BigEndian(value) != i)
        {
            return -1;
        }

        var round = BinaryPrimitives.ReadInt32BigEndian(value[4..]);
        return value.SequenceEqual(BigValue(i, round)) ? round : -1;
    }

    /// <summary>The key and round, then bytes that follow from both, so that any other bytes are caught.</summary>
    private static byte[] Checked(int length, int i, int round, int keyFactor, int roundFactor)
    {
        var value = new byte[length];
        BinaryPrimitives.WriteInt32BigEndian(value, i);
        BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(4), round);
        for (var b = 8; b < value.Length; b++)
        {
            value[b] = (byte)((i * keyFactor) + (round * roundFactor) + b);
        }

        return value;
    }
}
