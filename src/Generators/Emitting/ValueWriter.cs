using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Emitting;

/// <summary>
/// Emits the statements that write one value to a MessagePackWriter named <c>writer</c>. Document formats: integers,
/// bool, float, double as MessagePack numbers; decimal as invariant text; Guid as bin 16; DateTime as a timestamp;
/// DateTimeOffset as [timestamp, offset minutes]; TimeSpan as its ticks; char as its UTF-16 code unit; enums as their
/// underlying integer; byte[] as bin; arrays and lists as arrays; dictionaries and embedded objects as maps; null as nil.
/// </summary>
internal static class ValueWriter
{
    /// <summary>Writes <paramref name="value"/> (an expression evaluated once) of shape <paramref name="shape"/>.</summary>
    /// <param name="member">The member path for error messages ("Tags[]").</param>
    public static void Write(SourceWriter source, EmitContext context, ValueShape shape, string value, string member)
    {
        if (shape.Kind == ValueKind.Nullable || (shape.IsReference && shape.IsNullable))
        {
            var present = context.Local("value");
            using (source.Open($"if ({value} is {{ }} {present})"))
            {
                WritePresent(source, context, shape.Underlying, present, member);
            }

            using (source.Open("else"))
            {
                source.WriteLine("writer.WriteNil();");
            }

            return;
        }

        if (shape.IsReference)
        {
            value = $"{value} ?? {context.ThrowNull(member, reading: false)}";
            if (shape.Kind is ValueKind.Array or ValueKind.List or ValueKind.Dictionary)
            {
                var local = context.Local("items");
                source.WriteLine($"var {local} = {value};");
                value = local;
            }
        }

        WritePresent(source, context, shape, value, member);
    }

    private static void WritePresent(SourceWriter source, EmitContext context, ValueShape shape, string value, string member)
    {
        switch (shape.Kind)
        {
            case ValueKind.Char:
                source.WriteLine($"writer.Write((ushort){value});");
                break;
            case ValueKind.String:
                source.WriteLine($"writer.WriteString({value});");
                break;
            case ValueKind.DateTime:
                source.WriteLine($"writer.WriteTimestamp({value});");
                break;
            case ValueKind.TimeSpan:
                source.WriteLine($"writer.Write({value}.Ticks);");
                break;
            case ValueKind.Bytes:
                source.WriteLine($"writer.WriteBinary({value});");
                break;
            case ValueKind.Enum:
                source.WriteLine($"writer.Write(({shape.Element!.TypeName}){value});");
                break;
            case ValueKind.Embedded:
                source.WriteLine($"{shape.Serializer}.Write(ref writer, {value}, {context.Depth});");
                break;
            case ValueKind.Array:
            case ValueKind.List:
                WriteSequence(source, context, shape, value, member);
                break;
            case ValueKind.Dictionary:
                WriteDictionary(source, context, shape, value, member);
                break;
            default:
                source.WriteLine($"writer.Write({value});");
                break;
        }
    }

    private static void WriteSequence(SourceWriter source, EmitContext context, ValueShape shape, string value, string member)
    {
        var length = shape.Kind == ValueKind.Array ? "Length" : "Count";
        var index = context.Local("i");
        source.WriteLine($"writer.WriteArrayHeader({value}.{length});");
        using (source.Open($"for (var {index} = 0; {index} < {value}.{length}; {index}++)"))
        {
            Write(source, context, shape.Element!, $"{value}[{index}]", member + "[]");
        }
    }

    private static void WriteDictionary(SourceWriter source, EmitContext context, ValueShape shape, string value, string member)
    {
        var pair = context.Local("pair");
        source.WriteLine($"writer.WriteMapHeader({value}.Count);");
        using (source.Open($"foreach (var {pair} in {value})"))
        {
            source.WriteLine($"writer.WriteString({pair}.Key);");
            Write(source, context, shape.Element!, $"{pair}.Value", member + "[]");
        }
    }
}
