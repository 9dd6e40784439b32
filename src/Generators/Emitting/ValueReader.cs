using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Emitting;

/// <summary>
/// Emits the statements that read one value from a MessagePackReader named <c>reader</c> into an assignable target,
/// in the formats <see cref="ValueWriter"/> writes. Nil is null for nullable types and an error otherwise.
/// </summary>
internal static class ValueReader
{
    /// <summary>Reads a value of shape <paramref name="shape"/> and assigns it to <paramref name="target"/>.</summary>
    public static void Read(SourceWriter source, EmitContext context, ValueShape shape, string target, string member)
    {
        if (shape.Kind == ValueKind.Nullable)
        {
            source.WriteLine($"{target} = reader.TryReadNil() ? default({shape.TypeName}) : {Scalar(shape.Element!)};");
            return;
        }

        if (!shape.IsReference)
        {
            source.WriteLine($"{target} = {Scalar(shape)};");
            return;
        }

        var nil = shape.IsNullable ? "null" : context.ThrowNull(member, reading: true);
        if (shape.Kind is not (ValueKind.Array or ValueKind.List or ValueKind.Dictionary))
        {
            source.WriteLine($"{target} = reader.TryReadNil() ? {nil} : {Scalar(shape)};");
            return;
        }

        using (source.Open("if (reader.TryReadNil())"))
        {
            source.WriteLine(shape.IsNullable ? $"{target} = null;" : nil + ";");
        }

        using (source.Open("else"))
        {
            if (shape.Kind == ValueKind.Dictionary)
            {
                ReadDictionary(source, context, shape, target, member);
            }
            else
            {
                ReadSequence(source, context, shape, target, member);
            }
        }
    }

    /// <summary>The expression that reads a value that is not nil (or a nil check is done already).</summary>
    private static string Scalar(ValueShape shape) => shape.Kind switch
    {
        ValueKind.Boolean => "reader.ReadBoolean()",
        ValueKind.Char => "(char)reader.ReadUInt16()",
        ValueKind.String => "reader.ReadString()",
        ValueKind.DateTime => "reader.ReadTimestamp()",
        ValueKind.TimeSpan => "new global::System.TimeSpan(reader.ReadInt64())",
        ValueKind.Bytes => "reader.ReadBinary()",
        ValueKind.Enum => $"({shape.TypeName}){Scalar(shape.Element!)}",
        ValueKind.Embedded => $"{shape.Serializer}.Read(ref reader)",
        _ => $"reader.Read{shape.Kind}()",
    };

    private static void ReadSequence(SourceWriter source, EmitContext context, ValueShape shape, string target, string member)
    {
        var count = context.Local("count");
        var items = context.Local("items");
        var index = context.Local("i");
        var element = shape.Element!;
        source.WriteLine($"var {count} = reader.ReadArrayHeader();");
        if (shape.Kind == ValueKind.Array)
        {
            // Typed explicitly: "new int[n][]" has non-nullable elements even where the member's are "int[]?".
            var arrayType = shape.IsNullable ? shape.TypeName.Substring(0, shape.TypeName.Length - 1) : shape.TypeName;
            source.WriteLine($"{arrayType} {items} = {ArrayCreation(element, count)};");
            using (source.Open($"for (var {index} = 0; {index} < {count}; {index}++)"))
            {
                Read(source, context, element, $"{items}[{index}]", member + "[]");
            }
        }
        else
        {
            source.WriteLine($"var {items} = new global::System.Collections.Generic.List<{element.TypeName}>({count});");
            using (source.Open($"for (var {index} = 0; {index} < {count}; {index}++)"))
            {
                var item = context.Local("item");
                source.WriteLine($"{element.TypeName} {item};");
                Read(source, context, element, item, member + "[]");
                source.WriteLine($"{items}.Add({item});");
            }
        }

        source.WriteLine($"{target} = {items};");
    }

    private static void ReadDictionary(SourceWriter source, EmitContext context, ValueShape shape, string target, string member)
    {
        var count = context.Local("count");
        var items = context.Local("items");
        var index = context.Local("i");
        var element = shape.Element!;
        source.WriteLine($"var {count} = reader.ReadMapHeader();");
        source.WriteLine($"var {items} = new global::System.Collections.Generic.Dictionary<string, {element.TypeName}>({count});");
        using (source.Open($"for (var {index} = 0; {index} < {count}; {index}++)"))
        {
            var key = context.Local("key");
            var item = context.Local("item");
            source.WriteLine($"var {key} = reader.ReadString();");
            source.WriteLine($"{element.TypeName} {item};");
            Read(source, context, element, item, member + "[]");
            source.WriteLine($"{items}[{key}] = {item};");
        }

        source.WriteLine($"{target} = {items};");
    }

    /// <summary>"new T[count]", with the count in the first rank for arrays of arrays ("new int[count][]").</summary>
    public static string ArrayCreation(ValueShape element, string count)
    {
        var ranks = "";
        while (element.Kind == ValueKind.Array)
        {
            ranks += "[]";
            element = element.Element!;
        }

        return $"new {element.TypeName}[{count}]{ranks}";
    }

    /// <summary>
    /// The value a constructor argument or initializer gets when the document lacks the member: null when the
    /// local's default will do; an empty string or collection for non-nullable references; a throw for embedded objects.
    /// </summary>
    public static string? MissingValue(EmitContext context, ValueShape shape, string member)
    {
        if (!shape.IsReference || shape.IsNullable)
        {
            return null;
        }

        return shape.Kind switch
        {
            ValueKind.String => "\"\"",
            ValueKind.Bytes => "global::System.Array.Empty<byte>()",
            ValueKind.Array => $"global::System.Array.Empty<{shape.Element!.TypeName}>()",
            ValueKind.List => $"new global::System.Collections.Generic.List<{shape.Element!.TypeName}>()",
            ValueKind.Dictionary => $"new global::System.Collections.Generic.Dictionary<string, {shape.Element!.TypeName}>()",
            _ => "throw new global::Persistence.PersistenceSerializationException(" +
                Names.Literal($"The document has no {context.Owner}.{member}, which the type requires.") + ")",
        };
    }
}
