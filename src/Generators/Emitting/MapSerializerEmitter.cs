using System.Collections.Generic;
using System.Linq;
using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Emitting;

/// <summary>
/// Emits the bodies that write a type's stored members as a MessagePack map (or, for a type whose members are tagged
/// 1 to n, an array) and read them back.
/// </summary>
/// <remarks>
/// <para>Wire format: one map per object, one entry per stored member, in declaration order. The key is the
/// member's [Field] tag as an integer when it has one, otherwise its name as a UTF-8 string. Null values are written
/// as nil. A collection document leaves out the primary-key members its key holds exactly
/// (<see cref="KeyCode.IsExact"/>): they are read from the key the document is stored under, and an entry for one
/// in the map is skipped.</para>
/// <para>Array layout (<see cref="UsesArray"/>): when every stored member has a tag and the tags are exactly 1 to n,
/// the object is an array whose element i holds the member tagged i + 1, without keys (MessagePack-CSharp writes
/// integer keys as arrays too, key k at element k). Positions of key-held members hold nil, and the array ends at the
/// last member written. A type whose tags leave a gap (a removed member) falls back to the map, so a nil in an array
/// means a null value, never a missing member (key-held positions aside, which readers take from the key). Readers of a type with tagged members accept both layouts, so a type can move
/// between them from one version to the next: an element past a reader's members is skipped, and a member past the
/// end of an array is missing, like a member absent from a map.</para>
/// <para>Reading accepts entries in any order. A tagged member is matched by its tag only and an untagged one by its
/// name only; every other key (an unknown name or tag, or a key of another type) is skipped with its value, so
/// documents written by an earlier or later version of the type stay readable. A member missing from the document
/// keeps its initializer value when it is settable; constructor parameters and init-only or required members get
/// the type's default, or an empty string or collection for non-nullable references.</para>
/// </remarks>
internal static class MapSerializerEmitter
{
    /// <summary>
    /// Writes the members of <paramref name="instance"/> as a map, except the members of the primary key
    /// <paramref name="key"/> that it holds exactly. An instance of a subclass is refused first (unless the type is
    /// sealed): only the type's own members would be written and the type read back, so what the subclass adds would be
    /// silently lost. A type compare, before anything is written.
    /// </summary>
    public static void WriteMembers(SourceWriter source, TypeModel model, EmitContext context, string instance, IReadOnlyList<MemberModel>? key = null)
    {
        if (!model.IsSealed)
        {
            // Through object: a member of the type may be named GetType.
            using (source.Open($"if (((object){instance}).GetType() != typeof({model.FullName}))"))
            {
                var reason = Names.Literal($" cannot be stored as {model.Name}: the code generated for {model.Name} writes the members of {model.Name} alone and reads back an instance of {model.Name}, so what the subclass adds would be lost. Store it as its own type.");
                source.WriteLine($"throw new global::Persistence.PersistenceSerializationException(((object){instance}).GetType().FullName + {reason});");
            }

            source.WriteLine();
        }

        var fromKey = FromKey(key);
        var stored = Stored(model, fromKey).ToList();
        if (UsesArray(model))
        {
            var length = stored.Count == 0 ? 0 : stored.Max(m => m.Tag);
            source.WriteLine($"writer.WriteArrayHeader({Names.Invariant(length)});");
            foreach (var member in model.Members.Where(m => m.Tag <= length).OrderBy(m => m.Tag))
            {
                if (fromKey is not null && fromKey.Contains(member))
                {
                    source.WriteLine("writer.WriteNil(); // held by the key");
                    continue;
                }

                ValueWriter.Write(source, context, member.Shape, $"{instance}.{Names.Escape(member.Name)}", member.Name);
            }

            return;
        }

        source.WriteLine($"writer.WriteMapHeader({Names.Invariant(stored.Count)});");
        foreach (var member in stored)
        {
            source.WriteLine(member.Tag != 0
                ? $"writer.Write({Names.Invariant(member.Tag)});"
                : $"writer.WriteStringUtf8({Names.Literal(member.Name)}u8);");
            ValueWriter.Write(source, context, member.Shape, $"{instance}.{Names.Escape(member.Name)}", member.Name);
        }

    }

    /// <summary>
    /// Reads a map into a new instance in the local <c>document</c>. The members of the primary key
    /// <paramref name="key"/> (in key order) that it holds exactly are read from the local <c>primaryKey</c> instead;
    /// with <paramref name="earlier"/>, those it held exactly under the earlier primary-key encoding, read as that held
    /// them (<see cref="KeyCode.HasEarlierEncoding"/>). A document's key is always read to its end, the parts no member is
    /// read from skipped, even when every member is read from the map (a key of decimal, floating-point or DateTimeOffset
    /// parts alone): one with bytes after its last part is refused (KeyReader.ReadEnd), or a document stored under such a
    /// key would decode as the document stored under the key it starts with.
    /// </summary>
    public static void ReadMembers(SourceWriter source, TypeModel model, EmitContext context, IReadOnlyList<MemberModel>? key = null, bool earlier = false)
    {
        var fromKey = FromKey(key, earlier);
        foreach (var member in model.Members)
        {
            var initial = member.Shape.IsReference && !member.Shape.IsNullable ? "default!" : "default";
            source.WriteLine($"{member.Shape.TypeName} {Value(member)} = {initial};");
            if (NeedsFlag(context, member))
            {
                source.WriteLine($"var {Has(member)} = false;");
            }
        }

        if (key is not null && fromKey is not null)
        {
            source.WriteLine("var keyReader = new global::Persistence.Serialization.KeyReader(primaryKey);");
            foreach (var member in key)
            {
                if (!fromKey.Contains(member))
                {
                    source.WriteLine(KeyCode.Skip(member.Shape, "keyReader", earlier) + ";");
                    continue;
                }

                source.WriteLine($"{Value(member)} = {KeyCode.Read(member.Shape, "keyReader", earlier)};");
                if (NeedsFlag(context, member))
                {
                    source.WriteLine($"{Has(member)} = true;");
                }
            }

            // The whole key, to its end: a key with bytes after its parts is not one of this encoding (an earlier or
            // damaged one), and the values read from it would be another key's.
            source.WriteLine("keyReader.ReadEnd();");
        }

        var stored = Stored(model, fromKey).ToList();
        var arrays = model.Members.Any(m => m.Tag != 0);
        if (arrays)
        {
            // Element i of an array is the member tagged i + 1; an entry of a map names its member by tag or name.
            source.WriteLine("var isArray = reader.PeekType() == global::Persistence.Serialization.MessagePackType.Array;");
            source.WriteLine("var count = isArray ? reader.ReadArrayHeader() : reader.ReadMapHeader();");
        }
        else
        {
            source.WriteLine("var count = reader.ReadMapHeader();");
        }

        using (source.Open("for (var i = 0; i < count; i++)"))
        {
            ReadEntry(source, stored, context, arrays);
        }

        source.WriteLine();
        Construct(source, model, context);
    }

    /// <summary>
    /// True when <paramref name="model"/> is written as an array: every stored member has a tag, and the tags are
    /// exactly 1 to the number of members (see the remarks).
    /// </summary>
    internal static bool UsesArray(TypeModel model) =>
        model.Members.Count > 0 && model.Members.All(m => m.Tag != 0) && model.Members.Max(m => m.Tag) == model.Members.Count;

    /// <summary>Reads one map entry or, when <paramref name="arrays"/> (the type has tagged members), one array element.</summary>
    private static void ReadEntry(SourceWriter source, List<MemberModel> members, EmitContext context, bool arrays)
    {
        var tagged = members.Where(m => m.Tag != 0).OrderBy(m => m.Tag).ToList();
        var named = members.Where(m => m.Tag == 0).ToList();
        if (tagged.Count > 0)
        {
            source.WriteLine("var tag = i + 1;");
            using (source.Open("if (isArray || reader.TryReadInt32(out tag))"))
            {
                using (source.Open("switch (tag)"))
                {
                    foreach (var member in tagged)
                    {
                        source.WriteLine($"case {Names.Invariant(member.Tag)}:");
                        using (source.Indent())
                        {
                            ReadMember(source, context, member);
                        }
                    }

                    SkipCase(source);
                }
            }

            source.WriteLine();
        }
        else if (arrays)
        {
            using (source.Open("if (isArray)"))
            {
                source.WriteLine("reader.Skip(); // no member of this type has a position in an array");
                source.WriteLine("continue;");
            }

            source.WriteLine();
        }

        if (named.Count == 0)
        {
            source.WriteLine("reader.Skip();");
            source.WriteLine("reader.Skip();");
            return;
        }

        using (source.Open("if (reader.PeekType() != global::Persistence.Serialization.MessagePackType.String)"))
        {
            source.WriteLine("reader.Skip();");
            source.WriteLine("reader.Skip();");
            source.WriteLine("continue;");
        }

        source.WriteLine();
        source.WriteLine("var key = reader.ReadStringSpan();");
        using (source.Open("switch (key.Length)"))
        {
            foreach (var member in named)
            {
                source.WriteLine($"case {Names.Invariant(Names.Utf8Length(member.Name))} when global::System.MemoryExtensions.SequenceEqual(key, {Names.Literal(member.Name)}u8):");
                using (source.Indent())
                {
                    ReadMember(source, context, member);
                }
            }

            SkipCase(source);
        }
    }

    private static void SkipCase(SourceWriter source)
    {
        source.WriteLine("default:");
        using (source.Indent())
        {
            source.WriteLine("reader.Skip();");
            source.WriteLine("continue;");
        }
    }

    private static void ReadMember(SourceWriter source, EmitContext context, MemberModel member)
    {
        ValueReader.Read(source, context, member.Shape, Value(member), member.Name);
        if (NeedsFlag(context, member))
        {
            source.WriteLine($"{Has(member)} = true;");
        }

        source.WriteLine("continue;");
    }

    private static void Construct(SourceWriter source, TypeModel model, EmitContext context)
    {
        var byName = model.Members.ToDictionary(m => m.Name);
        var arguments = string.Join(", ", model.ConstructorParameters.Select(p => Argument(context, byName[p])));
        var initialized = model.Members.Where(m => m.Assignment == MemberAssignment.Initializer).ToList();
        if (initialized.Count == 0)
        {
            source.WriteLine($"var document = new {model.FullName}({arguments});");
        }
        else
        {
            source.WriteLine($"var document = new {model.FullName}({arguments})");
            source.WriteLine("{");
            using (source.Indent())
            {
                foreach (var member in initialized)
                {
                    source.WriteLine($"{Names.Escape(member.Name)} = {Argument(context, member)},");
                }
            }

            source.WriteLine("};");
        }

        foreach (var member in model.Members.Where(m => m.Assignment == MemberAssignment.Setter))
        {
            source.WriteLine();
            using (source.Open($"if ({Has(member)})"))
            {
                source.WriteLine($"document.{Names.Escape(member.Name)} = {Value(member)};");
            }
        }
    }

    private static string Argument(EmitContext context, MemberModel member) =>
        ValueReader.MissingValue(context, member.Shape, member.Name) is { } missing ? $"{Has(member)} ? {Value(member)} : {missing}" : Value(member);

    /// <summary>Setters run only for members the document has; other members need a flag when their missing value is not the local's default.</summary>
    private static bool NeedsFlag(EmitContext context, MemberModel member) =>
        member.Assignment == MemberAssignment.Setter || ValueReader.MissingValue(context, member.Shape, member.Name) is not null;

    /// <summary>
    /// The members of <paramref name="key"/> that the key holds exactly (<see cref="KeyCode.IsExact"/>, or with
    /// <paramref name="earlier"/> <see cref="KeyCode.WasExact"/>): they are not stored in the map.
    /// </summary>
    private static List<MemberModel>? FromKey(IReadOnlyList<MemberModel>? key, bool earlier = false) =>
        key?.Where(m => earlier ? KeyCode.WasExact(m.Shape) : KeyCode.IsExact(m.Shape)).ToList();

    private static IEnumerable<MemberModel> Stored(TypeModel model, IReadOnlyList<MemberModel>? fromKey) =>
        fromKey is null ? model.Members : model.Members.Where(m => !fromKey.Contains(m));

    private static string Value(MemberModel member) => "value" + member.Name;

    private static string Has(MemberModel member) => "has" + member.Name;

    internal static IEnumerable<MemberModel> Members(TypeModel model, IEnumerable<string> names) =>
        names.Select(n => model.Members.First(m => m.Name == n));
}
