using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Emitting;

/// <summary>
/// Emits the serializer of an [Embedded] type: static Write and Read methods that documents (and other embedded
/// types) call for members of that type. Objects nest as maps in the format <see cref="MapSerializerEmitter"/>
/// describes. Object graphs with cycles cannot be stored: writing stops with an exception past
/// MessagePackReader.MaxDepth levels, and reading counts levels with EnterNested so that hostile input cannot
/// overflow the stack.
/// </summary>
internal static class EmbeddedEmitter
{
    public static string Emit(TypeModel model) => FileEmitter.Emit(model, source =>
    {
        var tooDeep = Names.Literal($"{model.Name} is nested more than 512 levels deep: is there a cycle in the object graph? Cycles cannot be stored.");
        source.WriteLine($"/// <summary>Writes and reads <see cref=\"{Names.Escape(model.Name)}\"/> values inside documents.</summary>");
        using (source.Open($"{model.HelperAccessibility} static class {model.SerializerName}"))
        {
            source.WriteLine($"/// <summary>Writes <paramref name=\"value\"/> as a map; <paramref name=\"depth\"/> is its nesting level (a document's members are at 1).</summary>");
            using (source.Open($"public static void Write(ref global::Persistence.Serialization.MessagePackWriter writer, {model.FullName} value, int depth)"))
            {
                using (source.Open("if (depth > global::Persistence.Serialization.MessagePackReader.MaxDepth)"))
                {
                    source.WriteLine($"throw new global::Persistence.PersistenceSerializationException({tooDeep});");
                }

                source.WriteLine();
                MapSerializerEmitter.WriteMembers(source, model, new EmitContext(model.Name, "depth + 1"), "value");
            }

            source.WriteLine();
            source.WriteLine($"/// <summary>Reads a value written by <see cref=\"Write\"/> (or by another version of the type).</summary>");
            using (source.Open($"public static {model.FullName} Read(ref global::Persistence.Serialization.MessagePackReader reader)"))
            {
                source.WriteLine("reader.EnterNested();");
                MapSerializerEmitter.ReadMembers(source, model, new EmitContext(model.Name, "depth + 1"));
                source.WriteLine("reader.ExitNested();");
                source.WriteLine("return document;");
            }
        }
    });
}
