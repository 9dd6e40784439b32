using System.Collections.Generic;
using System.Linq;
using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Emitting;

/// <summary>
/// Emits <c>TSchema</c>, the DocumentSchema the runtime calls: primary key access and encoding, the document
/// serializer (see <see cref="MapSerializerEmitter"/> for the format), the expiry, and one IndexSchema per index.
/// </summary>
internal static class SchemaEmitter
{
    private const string KeyWriter = "global::Persistence.Serialization.KeyWriter";
    private const string KeyReader = "global::Persistence.Serialization.KeyReader";

    public static string ClassName(TypeModel model) => model.Name + "Schema";

    public static void Emit(SourceWriter source, TypeModel model)
    {
        var collection = model.Collection!;
        var name = ClassName(model);
        var key = collection.Key;
        var indexes = string.Join(", ", collection.Indexes.Select(i => $"new {i.Name}Index()"));
        var keyEncodings = Encodings(model, key.Members, primaryKey: true);

        // The [ExpiresAt] member's name, which the runtime records with the expiry index (as an index's record names its
        // members), so that a version moving the attribute to another member builds the index again.
        var expiresAt = collection.ExpiresAt is { } member ? ", " + Names.Literal(member) : "";
        source.WriteLine($"/// <summary>Serializer, key encoder and indexes of <see cref=\"{Names.Escape(model.Name)}\"/>.</summary>");
        using (source.Open($"{model.HelperAccessibility} sealed class {name} : global::Persistence.Collections.DocumentSchema<{model.FullName}, {key.TypeName}>"))
        {
            source.WriteLine($$"""
                public static readonly {{name}} Instance = new();

                private {{name}}()
                    : base({{Names.Literal(collection.Name)}}, [{{indexes}}], [{{keyEncodings}}]{{expiresAt}})
                {
                }

                """);
            EmitKey(source, model, key);
            EmitExpiresAt(source, model, collection);
            source.WriteLine();
            var keyMembers = MapSerializerEmitter.Members(model, key.Members).ToList();
            using (source.Open($"public override void Serialize(ref global::Persistence.Serialization.MessagePackWriter writer, {model.FullName} document)"))
            {
                MapSerializerEmitter.WriteMembers(source, model, new EmitContext(model.Name, "1"), "document", keyMembers);
            }

            source.WriteLine();
            using (source.Open($"public override {model.FullName} Deserialize(ref global::Persistence.Serialization.MessagePackReader reader, scoped global::System.ReadOnlySpan<byte> primaryKey)"))
            {
                MapSerializerEmitter.ReadMembers(source, model, new EmitContext(model.Name, "1"), keyMembers);
                source.WriteLine("return document;");
            }

            if (keyMembers.Any(m => KeyCode.HasEarlierEncoding(m.Shape)))
            {
                // Documents stored under the key's earlier encoding, which the collection moves once: they left out the
                // members that key held exactly, and it held them otherwise.
                source.WriteLine();
                using (source.Open($"public override {model.FullName} DeserializeUnderEarlierKey(ref global::Persistence.Serialization.MessagePackReader reader, scoped global::System.ReadOnlySpan<byte> primaryKey)"))
                {
                    MapSerializerEmitter.ReadMembers(source, model, new EmitContext(model.Name, "1"), keyMembers, earlier: true);
                    source.WriteLine("return document;");
                }

                EmitEarlierLeftOut(source, model, keyMembers);
            }

            foreach (var index in collection.Indexes)
            {
                source.WriteLine();
                EmitIndex(source, model, index);
            }
        }
    }

    private static void EmitKey(SourceWriter source, TypeModel model, KeyModel key)
    {
        var members = MapSerializerEmitter.Members(model, key.Members).ToList();
        if (!key.IsComposite)
        {
            var member = members[0];
            source.WriteLine($$"""
                public override {{key.TypeName}} GetKey({{model.FullName}} document) => document.{{Names.Escape(member.Name)}};

                public override void WriteKey(ref {{KeyWriter}} writer, {{key.TypeName}} key) => {{KeyCode.Write(member.Shape, "writer", NotNull(model, member, "key"))}};

                public override {{key.TypeName}} ReadKey(ref {{KeyReader}} reader) => {{KeyCode.Read(member.Shape, "reader")}};
                """);
            return;
        }

        var fromDocument = string.Join(", ", members.Select(m => "document." + Names.Escape(m.Name)));
        source.WriteLine($"public override {key.TypeName} GetKey({model.FullName} document) => new({fromDocument});");
        source.WriteLine();
        using (source.Open($"public override void WriteKey(ref {KeyWriter} writer, {key.TypeName} key)"))
        {
            foreach (var member in members)
            {
                source.WriteLine(KeyCode.Write(member.Shape, "writer", NotNull(model, member, "key." + Names.Escape(member.Name))) + ";");
            }
        }

        source.WriteLine();
        using (source.Open($"public override {key.TypeName} ReadKey(ref {KeyReader} reader)"))
        {
            // Arguments are evaluated left to right, which is the order of the parts in the key.
            var parts = string.Join(", ", members.Select(m => KeyCode.Read(m.Shape, "reader")));
            source.WriteLine($"return new({parts});");
        }
    }

    /// <summary>
    /// The key members documents stored under the key's earlier encoding left out and documents now hold (a
    /// DateTimeOffset: <see cref="KeyCode.WasExact"/> but not <see cref="KeyCode.IsExact"/>), which the collection writes
    /// into the stored bytes when it moves them, keeping the members this type does not know.
    /// </summary>
    private static void EmitEarlierLeftOut(SourceWriter source, TypeModel model, List<MemberModel> keyMembers)
    {
        var leftOut = keyMembers.Where(m => KeyCode.WasExact(m.Shape) && !KeyCode.IsExact(m.Shape)).ToList();
        if (leftOut.Count == 0)
        {
            return;
        }

        var members = string.Join(", ", leftOut.Select(m => $"({Names.Invariant(m.Tag)}, {Names.Literal(m.Name)})"));
        var values = string.Join(", ", leftOut.Select((m, i) => $"{Names.Invariant(i)} => document.{Names.Escape(m.Name)}"));
        source.WriteLine($$"""

            public override global::System.Collections.Generic.IReadOnlyList<(int Tag, string Name)> EarlierLeftOutMembers { get; } = [{{members}}];

            public override global::System.DateTimeOffset EarlierLeftOutValue({{model.FullName}} document, int member) => member switch
            {
                {{values}},
                _ => throw new global::System.ArgumentOutOfRangeException(nameof(member)),
            };
            """);
    }

    /// <summary>
    /// The key encodings of <paramref name="members"/> as literals, for the runtime to record with the indexes
    /// (<see cref="KeyCode.Encoding"/>), as the primary key's when <paramref name="primaryKey"/>.
    /// </summary>
    private static string Encodings(TypeModel model, IEnumerable<string> members, bool primaryKey) =>
        string.Join(", ", MapSerializerEmitter.Members(model, members).Select(m => Names.Literal(KeyCode.Encoding(m.Shape, primaryKey))));

    /// <summary>
    /// <paramref name="value"/>, or for a non-nullable reference, the value or a throw: a primary key is encoded before
    /// the document is written, and its members are not in the stored map, so the serializer's own check never sees them.
    /// </summary>
    private static string NotNull(TypeModel model, MemberModel member, string value) =>
        member.Shape.IsReference && !member.Shape.IsNullable
            ? $"{value} ?? {new EmitContext(model.Name, "1").ThrowNull(member.Name, reading: false)}"
            : value;

    private static void EmitExpiresAt(SourceWriter source, TypeModel model, CollectionModel collection)
    {
        if (collection.ExpiresAt is not { } name)
        {
            return;
        }

        var shape = model.Members.First(m => m.Name == name).Shape;
        var value = "document." + Names.Escape(name);
        var expression = shape.Underlying.Kind == ValueKind.DateTimeOffset
            ? value
            : shape.IsNullable ? $"{value} is {{ }} expiresAt ? ToExpiry(expiresAt) : null" : $"ToExpiry({value})";
        source.WriteLine();
        source.WriteLine("public override bool HasExpiresAt => true;");
        source.WriteLine();
        source.WriteLine($"public override global::System.DateTimeOffset? GetExpiresAt({model.FullName} document) => {expression};");
        if (shape.Underlying.Kind == ValueKind.DateTime)
        {
            source.WriteLine("""

                // A DateTime of unspecified kind is taken to be UTC, as the document format takes it.
                private static global::System.DateTimeOffset ToExpiry(global::System.DateTime value) =>
                    new(value.Kind == global::System.DateTimeKind.Local ? value.ToUniversalTime() : global::System.DateTime.SpecifyKind(value, global::System.DateTimeKind.Utc));
                """);
        }
    }

    private static void EmitIndex(SourceWriter source, TypeModel model, IndexModel index)
    {
        var members = MapSerializerEmitter.Members(model, index.Members).ToList();
        var names = string.Join(", ", index.Members.Select(Names.Literal));
        using (source.Open($"private sealed class {index.Name}Index : global::Persistence.Collections.IndexSchema<{model.FullName}>"))
        {
            source.WriteLine($$"""
                public {{index.Name}}Index()
                    : base({{Names.Literal(index.Name)}}, {{(index.Unique ? "true" : "false")}}, [{{names}}], [{{Encodings(model, index.Members, primaryKey: false)}}])
                {
                }

                """);
            using (source.Open($"public override bool WriteKey(ref {KeyWriter} writer, {model.FullName} document)"))
            {
                if (index.Unique && members.All(m => m.Shape.IsNullable))
                {
                    // As in SQL, nulls never collide: a unique index has no entry for a document whose indexed values are all null.
                    var allNull = string.Join(" && ", members.Select(m => $"document.{Names.Escape(m.Name)} is null"));
                    using (source.Open($"if ({allNull})"))
                    {
                        source.WriteLine("return false;");
                    }

                    source.WriteLine();
                }

                var context = new EmitContext(model.Name, "1");
                foreach (var member in members)
                {
                    // Indexes are written before the document: a null in a non-nullable member fails here, as the serializer would.
                    var value = "document." + Names.Escape(member.Name);
                    if (member.Shape.IsReference && !member.Shape.IsNullable)
                    {
                        value += " ?? " + context.ThrowNull(member.Name, reading: false);
                    }

                    source.WriteLine(KeyCode.Write(member.Shape, "writer", value) + ";");
                }

                source.WriteLine("return true;");
            }

            source.WriteLine();
            if (members.Count == 1)
            {
                source.WriteLine($"public override void SkipKey(ref {KeyReader} reader) => {KeyCode.Skip(members[0].Shape, "reader")};");
            }
            else
            {
                using (source.Open($"public override void SkipKey(ref {KeyReader} reader)"))
                {
                    foreach (var member in members)
                    {
                        source.WriteLine(KeyCode.Skip(member.Shape, "reader") + ";");
                    }
                }
            }
        }
    }
}
