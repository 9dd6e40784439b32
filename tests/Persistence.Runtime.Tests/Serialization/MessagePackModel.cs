using System.Globalization;
using System.Text;
using Persistence.Serialization;

namespace Persistence.Tests.Serialization;

/// <summary>A timestamp with full nanosecond precision, as the specification defines it.</summary>
internal sealed record TimestampValue(long Seconds, uint Nanoseconds);

/// <summary>An extension value other than a timestamp.</summary>
internal sealed record ExtensionValue(sbyte Code, byte[] Data);

/// <summary>A map that keeps its entries in order.</summary>
internal sealed record MapValue(IReadOnlyList<KeyValuePair<object?, object?>> Entries);

/// <summary>
/// A dynamic view of MessagePack for the interoperability tests: writes a tree of .NET values with our writer, reads
/// any input into such a tree with our reader, and describes a tree in the same text as the Python helper does.
/// </summary>
internal static class MessagePackModel
{
    public static void Write(ref MessagePackWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNil(); break;
            case bool b: writer.Write(b); break;
            case long l: writer.Write(l); break;
            case ulong u: writer.Write(u); break;
            case int i: writer.Write(i); break;
            case float f: writer.Write(f); break;
            case double d: writer.Write(d); break;
            case string s: writer.WriteString(s); break;
            case byte[] bytes: writer.WriteBinary(bytes); break;
            case TimestampValue t: writer.WriteTimestamp(t.Seconds, t.Nanoseconds); break;
            case DateTime dt: writer.WriteTimestamp(dt); break;
            case ExtensionValue e: writer.WriteExtension(e.Code, e.Data); break;
            case object?[] array:
                writer.WriteArrayHeader(array.Length);
                foreach (object? item in array)
                {
                    Write(ref writer, item);
                }

                break;
            case MapValue map:
                writer.WriteMapHeader(map.Entries.Count);
                foreach (KeyValuePair<object?, object?> entry in map.Entries)
                {
                    Write(ref writer, entry.Key);
                    Write(ref writer, entry.Value);
                }

                break;
            default: throw new ArgumentException($"No MessagePack form for {value.GetType()}.", nameof(value));
        }
    }

    public static object? Read(ref MessagePackReader reader)
    {
        switch (reader.PeekType())
        {
            case MessagePackType.Nil: reader.ReadNil(); return null;
            case MessagePackType.Boolean: return reader.ReadBoolean();
            case MessagePackType.Integer: return reader.Remaining[0] == 0xcf ? reader.ReadUInt64() : reader.ReadInt64();
            case MessagePackType.Float: return reader.ReadDouble();
            case MessagePackType.String: return reader.ReadString();
            case MessagePackType.Binary: return reader.ReadBinary();
            case MessagePackType.Array:
                var array = new object?[reader.ReadArrayHeader()];
                for (int i = 0; i < array.Length; i++)
                {
                    array[i] = Read(ref reader);
                }

                return array;
            case MessagePackType.Map:
                int count = reader.ReadMapHeader();
                var entries = new List<KeyValuePair<object?, object?>>(count);
                for (int i = 0; i < count; i++)
                {
                    object? key = Read(ref reader);
                    entries.Add(new(key, Read(ref reader)));
                }

                return new MapValue(entries);
            default:
                MessagePackReader peek = reader;
                ExtensionHeader header = peek.ReadExtensionHeader();
                if (header.TypeCode == -1)
                {
                    reader.ReadTimestamp(out long seconds, out uint nanoseconds);
                    return new TimestampValue(seconds, nanoseconds);
                }

                reader = peek;
                return new ExtensionValue(header.TypeCode, reader.ReadRawSpan(header.Length).ToArray());
        }
    }

    /// <summary>The same text the Python helper's describe() prints.</summary>
    public static string Describe(object? value) => value switch
    {
        null => "nil",
        true => "true",
        false => "false",
        long or ulong or int => string.Create(CultureInfo.InvariantCulture, $"int:{value}"),
        float f => Describe((double)f),
        double d => "float:" + BitConverter.DoubleToInt64Bits(d).ToString("x16", CultureInfo.InvariantCulture),
        string s => "str:" + string.Join(",", s.EnumerateRunes().Select(r => r.Value.ToString("x", CultureInfo.InvariantCulture))),
        byte[] bytes => "bin:" + Convert.ToHexStringLower(bytes),
        TimestampValue t => string.Create(CultureInfo.InvariantCulture, $"ts:{t.Seconds}:{t.Nanoseconds}"),
        ExtensionValue e => string.Create(CultureInfo.InvariantCulture, $"ext:{e.Code}:{Convert.ToHexStringLower(e.Data)}"),
        object?[] array => "[" + string.Join(",", array.Select(Describe)) + "]",
        MapValue map => "{" + string.Join(",", map.Entries.Select(e => Describe(e.Key) + "=" + Describe(e.Value))) + "}",
        _ => throw new ArgumentException($"Cannot describe {value.GetType()}.", nameof(value)),
    };

    /// <summary>A Python expression for the same value, ASCII only (text and bytes travel as hex).</summary>
    public static string ToPython(object? value) => value switch
    {
        null => "None",
        true => "True",
        false => "False",
        long or ulong or int => string.Create(CultureInfo.InvariantCulture, $"{value}"),
        double d => $"struct.unpack('>d', bytes.fromhex('{BitConverter.DoubleToInt64Bits(d):x16}'))[0]",
        string s => $"bytes.fromhex('{Convert.ToHexStringLower(Encoding.UTF8.GetBytes(s))}').decode('utf-8')",
        byte[] bytes => $"bytes.fromhex('{Convert.ToHexStringLower(bytes)}')",
        TimestampValue t => string.Create(CultureInfo.InvariantCulture, $"Timestamp({t.Seconds}, {t.Nanoseconds})"),
        ExtensionValue e => string.Create(CultureInfo.InvariantCulture, $"ExtType({e.Code}, bytes.fromhex('{Convert.ToHexStringLower(e.Data)}'))"),
        object?[] array => "[" + string.Join(", ", array.Select(ToPython)) + "]",
        MapValue map => "dict([" + string.Join(", ", map.Entries.Select(e => $"({ToPython(e.Key)}, {ToPython(e.Value)})")) + "])",
        _ => throw new ArgumentException($"No Python form for {value.GetType()}.", nameof(value)),
    };
}
