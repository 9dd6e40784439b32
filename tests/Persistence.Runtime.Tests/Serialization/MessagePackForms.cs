using System.Buffers.Binary;
using System.Text;

namespace Persistence.Tests.Serialization;

/// <summary>
/// Encodes a tree of <see cref="MessagePackModel"/> values in any of the forms the specification allows for each
/// value, chosen at random, not only the shortest our writer picks: a small integer as int64 or uint16, a short
/// string as str32, a 4-byte extension as ext16, a timestamp of zero nanoseconds in its 96-bit form. Other writers
/// produce these, and a reader must accept every one.
/// </summary>
internal static class MessagePackForms
{
    public static byte[] Encode(object? value, Random random)
    {
        var output = new List<byte>();
        Write(output, value, random);
        return [.. output];
    }

    /// <summary>Every encoding of an integer: each fixint, uint and int format whose range holds it.</summary>
    public static List<byte[]> IntegerForms(Int128 value)
    {
        var forms = new List<byte[]>();
        if (value >= -32 && value <= 127)
        {
            forms.Add([(byte)(sbyte)value]);
        }

        AddIf(forms, value >= 0 && value <= byte.MaxValue, 0xcc, 1, value);
        AddIf(forms, value >= 0 && value <= ushort.MaxValue, 0xcd, 2, value);
        AddIf(forms, value >= 0 && value <= uint.MaxValue, 0xce, 4, value);
        AddIf(forms, value >= 0 && value <= ulong.MaxValue, 0xcf, 8, value);
        AddIf(forms, value >= sbyte.MinValue && value <= sbyte.MaxValue, 0xd0, 1, value);
        AddIf(forms, value >= short.MinValue && value <= short.MaxValue, 0xd1, 2, value);
        AddIf(forms, value >= int.MinValue && value <= int.MaxValue, 0xd2, 4, value);
        AddIf(forms, value >= long.MinValue && value <= long.MaxValue, 0xd3, 8, value);
        return forms;
    }

    private static void AddIf(List<byte[]> forms, bool fits, byte code, int size, Int128 value)
    {
        if (fits)
        {
            byte[] form = new byte[1 + size];
            form[0] = code;
            ulong bits = unchecked((ulong)value);
            for (int i = 0; i < size; i++)
            {
                form[size - i] = (byte)(bits >> (8 * i));
            }

            forms.Add(form);
        }
    }

    private static void Write(List<byte> output, object? value, Random random)
    {
        switch (value)
        {
            case null: output.Add(0xc0); break;
            case bool b: output.Add(b ? (byte)0xc3 : (byte)0xc2); break;
            case long l: output.AddRange(Pick(IntegerForms(l), random)); break;
            case ulong u: output.AddRange(Pick(IntegerForms(u), random)); break;
            case double d: WriteDouble(output, d, random); break;
            case string s: WriteSized(output, Encoding.UTF8.GetBytes(s), 0xa0, 31, 0xd9, random); break;
            case byte[] bytes: WriteSized(output, bytes, null, 0, 0xc4, random); break;
            case ExtensionValue e: WriteExtension(output, e.Code, e.Data, random); break;
            case TimestampValue t: WriteTimestamp(output, t, random); break;
            case object?[] array:
                WriteHeader(output, array.Length, 0x90, 0xdc, random);
                foreach (object? item in array)
                {
                    Write(output, item, random);
                }

                break;
            case MapValue map:
                WriteHeader(output, map.Entries.Count, 0x80, 0xde, random);
                foreach (KeyValuePair<object?, object?> entry in map.Entries)
                {
                    Write(output, entry.Key, random);
                    Write(output, entry.Value, random);
                }

                break;
            default: throw new ArgumentException($"No MessagePack form for {value.GetType()}.", nameof(value));
        }
    }

    private static T Pick<T>(List<T> choices, Random random) => choices[random.Next(choices.Count)];

    private static void WriteDouble(List<byte> output, double value, Random random)
    {
        // float32 only where it holds the same bits once widened (NaN payloads may not survive the round trip).
        float narrow = (float)value;
        if (BitConverter.DoubleToInt64Bits(narrow) == BitConverter.DoubleToInt64Bits(value) && random.Next(2) == 0)
        {
            output.Add(0xca);
            output.AddRange(BigEndian(BitConverter.SingleToUInt32Bits(narrow), 4));
        }
        else
        {
            output.Add(0xcb);
            output.AddRange(BigEndian((ulong)BitConverter.DoubleToInt64Bits(value), 8));
        }
    }

    /// <summary>A str (fixCode 0xa0, code8 0xd9) or bin (no fix form, code8 0xc4): the 8-, 16- and 32-bit codes follow each other.</summary>
    private static void WriteSized(List<byte> output, byte[] payload, byte? fixCode, int fixMax, byte code8, Random random)
    {
        var headers = new List<byte[]>();
        if (fixCode is { } fix && payload.Length <= fixMax)
        {
            headers.Add([(byte)(fix | payload.Length)]);
        }

        AddLengthHeaders(headers, payload.Length, code8, 1);
        output.AddRange(Pick(headers, random));
        output.AddRange(payload);
    }

    private static void WriteHeader(List<byte> output, int count, byte fixCode, byte code16, Random random)
    {
        var headers = new List<byte[]>();
        if (count <= 15)
        {
            headers.Add([(byte)(fixCode | count)]);
        }

        AddLengthHeaders(headers, count, code16, 2);
        output.AddRange(Pick(headers, random));
    }

    /// <summary>The headers of <paramref name="length"/> with the codes from <paramref name="firstCode"/> on, one per length size from <paramref name="firstSize"/> bytes to 4.</summary>
    private static void AddLengthHeaders(List<byte[]> headers, int length, byte firstCode, int firstSize)
    {
        byte code = firstCode;
        for (int size = firstSize; size <= 4; size *= 2, code++)
        {
            if (size == 4 || length < 1L << (8 * size))
            {
                headers.Add([code, .. BigEndian((ulong)length, size)]);
            }
        }
    }

    private static void WriteExtension(List<byte> output, sbyte code, byte[] data, Random random)
    {
        var headers = new List<byte[]>();
        int fixIndex = Array.IndexOf([1, 2, 4, 8, 16], data.Length);
        if (fixIndex >= 0)
        {
            headers.Add([(byte)(0xd4 + fixIndex)]);
        }

        AddLengthHeaders(headers, data.Length, 0xc7, 1);
        output.AddRange(Pick(headers, random));
        output.Add(unchecked((byte)code));
        output.AddRange(data);
    }

    private static void WriteTimestamp(List<byte> output, TimestampValue value, Random random)
    {
        List<byte[]> payloads = [[.. BigEndian(value.Nanoseconds, 4), .. BigEndian((ulong)value.Seconds, 8)]];
        if (value.Seconds >= 0 && value.Seconds < 1L << 34)
        {
            payloads.Add(BigEndian(((ulong)value.Nanoseconds << 34) | (ulong)value.Seconds, 8));
            if (value.Nanoseconds == 0 && value.Seconds <= uint.MaxValue)
            {
                payloads.Add(BigEndian((ulong)value.Seconds, 4));
            }
        }

        WriteExtension(output, -1, Pick(payloads, random), random);
    }

    private static byte[] BigEndian(ulong value, int size)
    {
        byte[] bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes[(8 - size)..];
    }
}
