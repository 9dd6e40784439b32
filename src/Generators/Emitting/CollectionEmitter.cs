using System.Linq;
using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Emitting;

/// <summary>
/// Emits the code of a [Collection] type T: the typed collection <c>TCollection</c> with its index accessors and
/// <c>Query()</c>, the queryable fields <c>TFields</c>, the schema <c>TSchema</c> (serializer, key encoder, index
/// encoders) and, for a composite primary key, the key struct <c>TKey</c>.
/// </summary>
internal static partial class CollectionEmitter
{
    public static string Emit(TypeModel model) => FileEmitter.Emit(model, source =>
    {
        var collection = model.Collection!;
        if (collection.Key.IsComposite)
        {
            EmitKeyStruct(source, model, collection.Key);
            source.WriteLine();
        }

        EmitCollection(source, model, collection);
        source.WriteLine();
        FieldsEmitter.Emit(source, model);
        source.WriteLine();
        SchemaEmitter.Emit(source, model);
    });

    private static void EmitKeyStruct(SourceWriter source, TypeModel model, KeyModel key)
    {
        var members = MapSerializerEmitter.Members(model, key.Members).ToList();
        source.WriteLine($"/// <summary>The primary key of <see cref=\"{Names.Escape(model.Name)}\"/>: {string.Join(", then ", key.Members)}.</summary>");
        foreach (var member in members)
        {
            source.WriteLine($"/// <param name=\"{member.Name}\">The key's {member.Name}.</param>");
        }

        var parameters = string.Join(", ", members.Select(m => $"{m.Shape.TypeName} {Names.Escape(m.Name)}"));
        source.WriteLine($"{model.Accessibility} readonly record struct {key.CompositeName}({parameters});");
    }

    private static void EmitCollection(SourceWriter source, TypeModel model, CollectionModel collection)
    {
        var name = model.Name + "Collection";
        var fields = FieldsEmitter.ClassName(model);
        var key = collection.Key.TypeName;
        source.WriteLine($"/// <summary>The typed collection of <see cref=\"{Names.Escape(model.Name)}\"/> documents.</summary>");
        using (source.Open($"{model.Accessibility} sealed partial class {name} : global::Persistence.Collections.Collection<{model.FullName}, {key}>"))
        {
            source.WriteLine($"/// <summary>Binds the collection to <paramref name=\"database\"/>, creating its keyspaces if they do not exist.</summary>");
            source.WriteLine($"public {name}(global::Persistence.Database database)");
            source.WriteLine($"    : base(database, {SchemaEmitter.ClassName(model)}.Instance)");
            using (source.Open())
            {
                foreach (var index in collection.Indexes)
                {
                    source.WriteLine($"By{index.Name} = new {AccessorClass(collection, index)}(this);");
                }
            }

            foreach (var index in collection.Indexes)
            {
                source.WriteLine();
                source.WriteLine($"/// <summary>{AccessorSummary(index)}</summary>");
                source.WriteLine($"public {AccessorClass(collection, index)} By{index.Name} {{ get; }}");
            }

            source.WriteLine();
            source.WriteLine($$"""
                /// <summary>The queryable members of <see cref="{{Names.Escape(model.Name)}}"/>.</summary>
                public static {{fields}} Fields => {{fields}}.{{FieldsEmitter.InstanceName(model)}};

                /// <summary>Starts a query; without a transaction each enumeration reads one snapshot.</summary>
                public global::Persistence.Query.Query<{{model.FullName}}, {{key}}, {{fields}}> Query(global::Persistence.Transaction? transaction = null)
                    => new(this, {{fields}}.{{FieldsEmitter.InstanceName(model)}}, transaction);
                """);
            if (collection.Key.IsComposite)
            {
                EmitKeyOverloads(source, model, collection.Key);
            }

            foreach (var (index, ordinal) in collection.Indexes.Select((index, ordinal) => (index, ordinal)))
            {
                source.WriteLine();
                EmitAccessor(source, model, index, ordinal);
            }
        }
    }

    private static void EmitKeyOverloads(SourceWriter source, TypeModel model, KeyModel key)
    {
        var members = MapSerializerEmitter.Members(model, key.Members).ToList();
        var names = Names.Parameters(members.Select(m => m.Name), "transaction");
        var declarations = string.Join(", ", members.Select((m, i) => $"{m.Shape.TypeName} {names[i]}"));
        var construct = $"new {key.CompositeName}({string.Join(", ", names)})";
        var refs = string.Join(", ", names.Select(n => $"<paramref name=\"{n.TrimStart('@')}\"/>"));
        source.WriteLine($$"""

            /// <summary>The document with primary key ({{refs}}), or null.</summary>
            public {{model.FullName}}? Get({{declarations}}, global::Persistence.Transaction? transaction = null)
                => Get({{construct}}, transaction);

            /// <summary>True when a document has primary key ({{refs}}).</summary>
            public bool Contains({{declarations}}, global::Persistence.Transaction? transaction = null)
                => Contains({{construct}}, transaction);

            /// <summary>Deletes the document with primary key ({{refs}}); false when there was none.</summary>
            public bool Delete({{declarations}}, global::Persistence.WriteTransaction? transaction = null)
                => Delete({{construct}}, transaction);
            """);
    }

    private static string AccessorSummary(IndexModel index) =>
        index.Unique ? $"Lookups by the unique index on {Describe(index)}." : $"Ordered scans of the index on {Describe(index)}.";

    private static string Describe(IndexModel index) =>
        index.Members.Count == 1 ? index.Members[0] : "(" + string.Join(", ", index.Members) + ")";
}
