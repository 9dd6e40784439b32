using System.Buffers.Binary;
using System.Globalization;

namespace Persistence.Serialization;

/// <content>
/// Floating-point numbers. Conversions never lose information silently: a value is accepted only when the target
/// type represents it exactly, so a member whose type changes from an integer to a float keeps its documents readable.
/// </content>
public ref partial struct MessagePackReader
{
    /// <summary>
    /// Reads a float64 or float32, or an integer whose value a double represents exactly (every integer up to 2^53 in
    /// magnitude, and larger ones that happen to be exact). An integer that would be rounded throws.
    /// </summary>
    public double ReadDouble()
    {
        int start = _position;
        byte code = ReadCode("a float");
        switch (code)
        {
            case MessagePackCode.Float64:
                return BinaryPrimitives.ReadDoubleBigEndian(ReadPayload(8, "float64", start));
            case MessagePackCode.Float32:
                return BinaryPrimitives.ReadSingleBigEndian(ReadPayload(4, "float32", start));
            default:
                _position = start;
                return IntegerAsDouble(code, start, "Double exactly");
        }
    }

    /// <summary>
    /// Reads a float32; also a float64 whose value a float represents exactly (NaN and the infinities included), and an
    /// integer that a float represents exactly. Anything that would be rounded throws.
    /// </summary>
    public float ReadSingle()
    {
        int start = _position;
        byte code = ReadCode("a float");
        if (code == MessagePackCode.Float32)
        {
            return BinaryPrimitives.ReadSingleBigEndian(ReadPayload(4, "float32", start));
        }

        double value;
        if (code == MessagePackCode.Float64)
        {
            value = BinaryPrimitives.ReadDoubleBigEndian(ReadPayload(8, "float64", start));
        }
        else
        {
            _position = start;
            value = IntegerAsDouble(code, start, "Single exactly");
        }

        float narrowed = (float)value;
        if (narrowed == value || double.IsNaN(value))
        {
            return narrowed;
        }

        throw SerializationErrors.OutOfRange(
            "Single exactly",
            start,
            string.Create(CultureInfo.InvariantCulture, $"{value:R}"));
    }

    /// <summary>Reads the integer at <paramref name="start"/> (the reader is positioned on its first byte) as an exact double.</summary>
    private double IntegerAsDouble(byte code, int start, string target)
    {
        if (MessagePackCode.TypeOf(code) != MessagePackType.Integer)
        {
            throw SerializationErrors.Unexpected("a float", start, code);
        }

        if (code == MessagePackCode.UInt64)
        {
            ulong unsigned = ReadUInt64();
            double fromUnsigned = unsigned;
            if (fromUnsigned < 18446744073709551616.0 && (ulong)fromUnsigned == unsigned)
            {
                return fromUnsigned;
            }

            throw SerializationErrors.OutOfRange(
                target, start, string.Create(CultureInfo.InvariantCulture, $"the integer {unsigned}"));
        }

        long signed = ReadInt64();
        double fromSigned = signed;
        if (fromSigned < 9223372036854775808.0 && (long)fromSigned == signed)
        {
            return fromSigned;
        }

        throw SerializationErrors.OutOfRange(
            target, start, string.Create(CultureInfo.InvariantCulture, $"the integer {signed}"));
    }
}
