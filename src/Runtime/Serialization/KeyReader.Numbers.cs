using System.Globalization;

namespace Persistence.Serialization;

/// <content>Floating-point numbers and decimals.</content>
public ref partial struct KeyReader
{
    private const ulong DoubleSignBit = 0x8000_0000_0000_0000UL;
    private const uint SingleSignBit = 0x8000_0000u;

    /// <summary>Reads a double part. The NaN key reads as <see cref="double.NaN"/>; zero reads as +0.0.</summary>
    public double ReadDouble(bool descending = false)
    {
        int start = _position;
        ulong encoded = ReadUInt64Core(descending, "Double");
        if (encoded == 0)
        {
            return double.NaN;
        }

        ulong bits = (encoded & DoubleSignBit) != 0 ? encoded & ~DoubleSignBit : ~encoded;
        double value = BitConverter.UInt64BitsToDouble(bits);
        return double.IsNaN(value) || (double.IsNegative(value) && value == 0)
            ? throw Invalid("Double", start, "a non-canonical NaN or negative zero")
            : value;
    }

    /// <summary>Reads a float part. The NaN key reads as <see cref="float.NaN"/>; zero reads as +0.0.</summary>
    public float ReadSingle(bool descending = false)
    {
        int start = _position;
        uint encoded = ReadUInt32Core(descending, "Single");
        if (encoded == 0)
        {
            return float.NaN;
        }

        uint bits = (encoded & SingleSignBit) != 0 ? encoded & ~SingleSignBit : ~encoded;
        float value = BitConverter.UInt32BitsToSingle(bits);
        return float.IsNaN(value) || (float.IsNegative(value) && value == 0)
            ? throw Invalid("Single", start, "a non-canonical NaN or negative zero")
            : value;
    }

    /// <summary>
    /// Reads a decimal part. The result is the normalized value (the smallest scale that represents it): a key written
    /// from 1.00m reads as 1m.
    /// </summary>
    public decimal ReadDecimal(bool descending = false)
    {
        const string Part = "Decimal";
        int start = _position;
        byte mask = Mask(descending);
        byte sign = Next(mask, Part, start);
        if (sign == DecimalKey.Zero)
        {
            return 0m;
        }

        if (sign is not DecimalKey.Negative and not DecimalKey.Positive)
        {
            throw Invalid(Part, start, string.Create(CultureInfo.InvariantCulture, $"the class byte 0x{sign:x2}"));
        }

        bool negative = sign == DecimalKey.Negative;
        byte inner = (byte)(mask ^ (negative ? 0xFF : 0x00));
        int exponent = Next(inner, Part, start) - DecimalKey.ExponentBias;

        Span<byte> digits = stackalloc byte[DecimalKey.MaxDigits];
        int count = 0;
        while (true)
        {
            int offset = _position;
            byte pair = Next(inner, Part, start);
            int high = pair >> 4;
            int low = pair & 0x0F;
            if (pair == 0 && count > 0)
            {
                break;
            }

            if (high is 0 or > 10 || low > 10 || count + (low == 0 ? 1 : 2) > DecimalKey.MaxDigits)
            {
                throw Invalid(Part, offset, string.Create(CultureInfo.InvariantCulture, $"the digit byte 0x{pair:x2}"));
            }

            digits[count++] = (byte)(high - 1);
            if (low == 0)
            {
                break;
            }

            digits[count++] = (byte)(low - 1);
        }

        return ComposeDecimal(digits[..count], exponent, negative, start);
    }

    /// <summary>Builds ±0.digits × 10^exponent, rejecting non-canonical digits and values a decimal cannot hold.</summary>
    private static decimal ComposeDecimal(ReadOnlySpan<byte> digits, int exponent, bool negative, int start)
    {
        if (digits[0] == 0 || digits[^1] == 0)
        {
            throw Invalid("Decimal", start, "digits with a leading or trailing zero");
        }

        int scale = digits.Length - exponent;
        UInt128 significand = 0;
        foreach (byte digit in digits)
        {
            significand = (significand * 10) + digit;
        }

        UInt128 limit = UInt128.One << 96;
        for (; scale < 0 && significand < limit; scale++)
        {
            significand *= 10;
        }

        if (scale > 28 || significand >= limit)
        {
            throw Invalid(
                "Decimal", start, string.Create(CultureInfo.InvariantCulture, $"a value outside the decimal range (exponent {exponent})"));
        }

        return new decimal(
            (int)(uint)significand, (int)(uint)(significand >> 32), (int)(uint)(significand >> 64), negative, (byte)scale);
    }
}
