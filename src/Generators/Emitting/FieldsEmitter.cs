using System.Linq;
using Persistence.Generators.Parsing;
using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Emitting;

/// <summary>
/// Emits <c>TFields</c>: one query field per member whose values can be key parts. Each field knows the schema
/// ordinals of the indexes it leads and whether it leads the primary key, so the planner can use them, and writes
/// its values exactly as those keys do (primary keys and index entries write them alike, see <see cref="KeyCode.Write"/>),
/// and compares them as the keys order them (<see cref="Comparer"/>).
/// </summary>
internal static class FieldsEmitter
{
    private const string KeyWriter = "global::Persistence.Serialization.KeyWriter";

    /// <summary>The members of object, which a property of the same name hides (CS0108 without <c>new</c>).</summary>
    private static readonly string[] s_objectMembers = ["Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "ReferenceEquals"];

    public static string ClassName(TypeModel model) => model.Name + "Fields";

    /// <summary>The static instance's name: "Instance", else "DefaultInstance", with '_' appended while a member has that name.</summary>
    public static string InstanceName(TypeModel model)
    {
        var name = "Instance";
        while (model.Members.Any(m => m.Name == name))
        {
            name = name == "Instance" ? "DefaultInstance" : name + "_";
        }

        return name;
    }

    public static void Emit(SourceWriter source, TypeModel model)
    {
        var name = ClassName(model);
        var collection = model.Collection!;
        source.WriteLine($"/// <summary>The queryable members of <see cref=\"{Names.Escape(model.Name)}\"/>, for <c>Where</c> and <c>OrderBy</c>.</summary>");
        using (source.Open($"{model.Accessibility} sealed class {name}"))
        {
            source.WriteLine($$"""
                internal static readonly {{name}} {{InstanceName(model)}} = new();

                private {{name}}()
                {
                }
                """);
            foreach (var member in model.Members.Where(m => ShapeResolver.IsKeyEncodable(m.Shape)))
            {
                var leads = collection.Indexes.Select((index, ordinal) => (index, ordinal)).Where(i => i.index.Members[0] == member.Name).Select(i => Names.Invariant(i.ordinal));
                var indexes = "[" + string.Join(", ", leads) + "]";
                var leadsKey = collection.Key.Members[0] == member.Name;
                var primary = leadsKey ? "true" : "false";
                var nullable = member.Shape.IsNullable ? "true" : "false";
                var property = Names.Escape(member.Name);
                var modifiers = s_objectMembers.Contains(member.Name) ? "public new" : "public";
                source.WriteLine();
                source.WriteLine($"/// <summary>The {member.Name} member.</summary>");
                if (member.Shape.Kind == ValueKind.String)
                {
                    var value = member.Shape.IsNullable ? "v" : "v!";
                    source.WriteLine($$"""
                        {{modifiers}} global::Persistence.Query.StringField<{{model.FullName}}> {{property}} { get; } = new({{Names.Literal(member.Name)}}, static d => d.{{property}},
                            static (ref {{KeyWriter}} w, string? v) => {{KeyCode.Write(member.Shape, "w", value)}}, {{indexes}}, {{primary}}, {{nullable}});
                        """);
                }
                else
                {
                    var type = member.Shape.TypeName;
                    source.WriteLine($$"""
                        {{modifiers}} global::Persistence.Query.Field<{{model.FullName}}, {{type}}> {{property}} { get; } = new({{Names.Literal(member.Name)}}, static d => d.{{property}},
                            static (ref {{KeyWriter}} w, {{type}} v) => {{KeyCode.Write(member.Shape, "w", "v")}}, {{Comparer(member.Shape)}}, {{indexes}}, {{primary}}, {{nullable}});
                        """);
                }
            }
        }
    }

    /// <summary>
    /// The comparer that orders values as their keys do: the default one, except for byte[], which has none, and
    /// DateTime, whose keys hold it as stored (a Local value converted to UTC): the default comparer compares Ticks
    /// whatever the Kind, so a query by a Local value would refuse the documents its key bounds find, which read back in
    /// UTC.
    /// </summary>
    private static string Comparer(ValueShape shape)
    {
        const string Stored = "global::Persistence.Serialization.MessagePackWriter.StoredDateTime";
        return shape.Underlying.Kind switch
        {
            ValueKind.Bytes => $"global::System.Collections.Generic.Comparer<{shape.TypeName}>.Create(static (x, y) => x is null ? (y is null ? 0 : -1) : y is null ? 1 : global::System.MemoryExtensions.SequenceCompareTo(new global::System.ReadOnlySpan<byte>(x), new global::System.ReadOnlySpan<byte>(y)))",
            ValueKind.DateTime when shape.IsNullable => $"global::System.Collections.Generic.Comparer<{shape.TypeName}>.Create(static (x, y) => global::System.Nullable.Compare({Stored}(x), {Stored}(y)))",
            ValueKind.DateTime => $"global::System.Collections.Generic.Comparer<{shape.TypeName}>.Create(static (x, y) => {Stored}(x).CompareTo({Stored}(y)))",
            _ => $"global::System.Collections.Generic.Comparer<{shape.TypeName}>.Default",
        };
    }
}
