namespace Persistence.Serialization;

/// <content>Floating-point numbers and decimals.</content>
public ref partial struct KeyWriter
{
    /// <summary>
    /// Writes a double in the order of <see cref="double.CompareTo(double)"/>: every NaN (any payload, either sign) is
    /// one key that sorts before negative infinity; -0.0 and +0.0 are the same key. Reading returns
    /// <see cref="double.NaN"/> and +0.0 for those.
    /// </summary>
    public void WriteDouble(double value, bool descending = false) => WriteFixed64(EncodeDouble(value), descending);

    /// <summary>
    /// Writes a float in the order of <see cref="float.CompareTo(float)"/>, with the same treatment of NaN and zero as
    /// <see cref="WriteDouble"/>.
    /// </summary>
    public void WriteSingle(float value, bool descending = false) => WriteFixed32(EncodeSingle(value), descending);

    /// <summary>
    /// Writes a decimal in the order of <see cref="decimal.CompareTo(decimal)"/>. Equal values with different scales
    /// (1.0m, 1.00m) and -0m and 0m encode to identical bytes, so reading returns the normalized value: the smallest
    /// scale that represents it (1.00m reads as 1m, 0.50m as 0.5m).
    /// </summary>
    public void WriteDecimal(decimal value, bool descending = false)
    {
        int start = _length;
        int written = DecimalKey.Encode(value, GetFree(DecimalKey.MaxLength));
        _length += written;
        if (descending)
        {
            InvertFrom(start);
        }
    }

    // The positive values' bits already order as unsigned integers; setting the sign bit lifts them above every
    // negative value, whose bits are inverted so that larger magnitudes come first. NaN takes 0, below -Infinity
    // (encoded 0x000F_FFFF_FFFF_FFFF), which no other value can produce because ~bits == 0 only for a NaN.
    internal static ulong EncodeDouble(double value)
    {
        if (double.IsNaN(value))
        {
            return 0;
        }

        ulong bits = (ulong)BitConverter.DoubleToInt64Bits(value == 0 ? 0.0 : value);
        return (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits | 0x8000_0000_0000_0000UL;
    }

    internal static uint EncodeSingle(float value)
    {
        if (float.IsNaN(value))
        {
            return 0;
        }

        uint bits = BitConverter.SingleToUInt32Bits(value == 0 ? 0.0f : value);
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
    }
}
