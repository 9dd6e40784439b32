namespace Persistence.Serialization;

/// <summary>
/// The order-preserving, normalized key encoding of <see cref="decimal"/> (layout in the remarks of
/// <see cref="KeyWriter"/>).
/// </summary>
/// <remarks>
/// A non-zero decimal is ±0.d1d2...dn × 10^E with d1 and dn non-zero, which is unique for each value whatever its scale.
/// Positive values order by E, then by the digits as a fraction; digits are nibbles 1 to 10 and the end is a zero
/// nibble, so a shorter digit string that is a prefix of a longer one (0.5 and 0.51) sorts first. Negative values
/// invert everything after the class byte, which reverses that order. The class byte puts negatives below zero below
/// positives.
/// </remarks>
internal static class DecimalKey
{
    public const byte Negative = 0x01;
    public const byte Zero = 0x02;
    public const byte Positive = 0x03;
    public const int ExponentBias = 128;
    public const int MaxDigits = 29;

    /// <summary>Class + exponent + (29 / 2 + 1) digit bytes.</summary>
    public const int MaxLength = 2 + (MaxDigits / 2) + 1;

    /// <summary>Writes the ascending encoding of <paramref name="value"/> and returns its length.</summary>
    public static int Encode(decimal value, Span<byte> destination)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        UInt128 significand = ((UInt128)(uint)bits[2] << 64) | ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        if (significand == 0)
        {
            destination[0] = Zero;
            return 1;
        }

        int scale = (bits[3] >> 16) & 0xFF;
        bool negative = bits[3] < 0;

        // Digits, least significant first.
        Span<byte> digits = stackalloc byte[MaxDigits];
        int count = 0;
        while (significand > ulong.MaxValue)
        {
            (significand, UInt128 digit) = UInt128.DivRem(significand, 10);
            digits[count++] = (byte)digit;
        }

        for (ulong narrow = (ulong)significand; narrow != 0; narrow /= 10)
        {
            digits[count++] = (byte)(narrow % 10);
        }

        int exponent = count - scale;
        int lowest = 0;
        while (digits[lowest] == 0)
        {
            lowest++;
        }

        byte inner = negative ? (byte)0xFF : (byte)0x00;
        destination[0] = negative ? Negative : Positive;
        destination[1] = (byte)((exponent + ExponentBias) ^ inner);
        int length = 2;
        for (int i = count - 1; i >= lowest; i -= 2)
        {
            int high = digits[i] + 1;
            int low = i - 1 >= lowest ? digits[i - 1] + 1 : 0;
            destination[length++] = (byte)(((high << 4) | low) ^ inner);
        }

        if (((count - lowest) & 1) == 0)
        {
            destination[length++] = inner; // the terminator 0x00
        }

        return length;
    }
}
