using System.Collections.Generic;
using System.Linq;
using Persistence.Generators.Parsing.Model;

namespace Persistence.Generators.Emitting;

/// <content>
/// The typed index accessors. A unique index gets Get and Contains on all its members; a non-unique one gets Find,
/// Count, Range on its leading member and All. Composite indexes also get FindByPrefix and CountByPrefix for each proper
/// prefix of their members. Every lookup encodes its values with the key encoding the schema's index uses (a DateTimeOffset as its
/// instant alone, so that it finds the same instant at any offset).
/// </content>
internal static partial class CollectionEmitter
{
    private const string Transaction = "global::Persistence.Transaction? transaction = null";
    private const string KeyRange = "global::Persistence.KeyRange";

    private static void EmitAccessor(SourceWriter source, TypeModel model, IndexModel index, int ordinal)
    {
        var members = MapSerializerEmitter.Members(model, index.Members).ToList();
        var parameters = members.Zip(Names.Parameters(members.Select(m => m.Name), "transaction"), (m, name) => (m.Shape.TypeName, Name: name)).ToList();
        var document = model.FullName;
        var many = $"global::System.Collections.Generic.IEnumerable<{document}>";
        var name = AccessorClass(model.Collection!, index);
        source.WriteLine($"/// <summary>{AccessorSummary(index)}</summary>");
        using (source.Open($"public sealed class {name} : global::Persistence.Collections.IndexAccessor<{document}, {model.Collection!.Key.TypeName}>"))
        {
            source.WriteLine($$"""
                internal {{name}}({{model.Name}}Collection collection)
                    : base(collection, {{Names.Invariant(ordinal)}})
                {
                }
                """);
            var all = Prefix(parameters, parameters.Count);
            if (index.Unique)
            {
                source.WriteLine($$"""

                    /// <summary>The document whose {{Describe(index)}} is ({{Refs(parameters)}}), or null.</summary>
                    public {{document}}? Get({{all.Declarations}}, {{Transaction}})
                    """);
                using (source.Indent())
                {
                    EmitKeyWrite(source, "=> GetUnique(", members, parameters, ", transaction);");
                }

                source.WriteLine($$"""

                    /// <summary>True when a document has {{Describe(index)}} ({{Refs(parameters)}}).</summary>
                    public bool Contains({{all.Declarations}}, {{Transaction}}) => Get({{all.Names}}, transaction) is not null;
                    """);
            }
            else
            {
                source.WriteLine($$"""

                    /// <summary>The documents whose {{Describe(index)}} is ({{Refs(parameters)}}), in primary-key order.</summary>
                    public {{many}} Find({{all.Declarations}}, {{Transaction}})
                        => Scan({{KeyRange}}.Prefix(Key({{all.Names}})), false, transaction);
                    """);
            }

            for (var length = 1; length < parameters.Count; length++)
            {
                var prefix = Prefix(parameters, length);
                source.WriteLine($$"""

                    /// <summary>The documents whose leading {{Names.Invariant(length)}} indexed members are ({{Refs(parameters.Take(length))}}), in index order.</summary>
                    public {{many}} FindByPrefix({{prefix.Declarations}}, {{Transaction}})
                        => Scan({{KeyRange}}.Prefix(Key({{prefix.Names}})), false, transaction);

                    {{CountSummary($"whose leading {Names.Invariant(length)} indexed members are ({Refs(parameters.Take(length))})", "FindByPrefix")}}
                    public long CountByPrefix({{prefix.Declarations}}, {{Transaction}})
                        => CountRange({{KeyRange}}.Prefix(Key({{prefix.Names}})), transaction);
                    """);
            }

            if (!index.Unique)
            {
                var lead = parameters[0].TypeName;
                source.WriteLine($$"""

                    /// <summary>The documents whose {{index.Members[0]}} lies in [<paramref name="from"/>, <paramref name="to"/>), ordered by the index: <paramref name="to"/> is excluded, unlike a query's <c>Between</c>, which includes both ends.{{NullBounds(members[0], index.Members[0])}}</summary>
                    public {{many}} Range({{lead}} from, {{lead}} to, bool descending = false, {{Transaction}})
                        => Scan({{KeyRange}}.Between(Key(from), Key(to)), descending, transaction);

                    /// <summary>Every document, ordered by the index.</summary>
                    public {{many}} All(bool descending = false, {{Transaction}})
                        => Scan({{KeyRange}}.All, descending, transaction);

                    {{CountSummary($"whose {Describe(index)} is ({Refs(parameters)})", "Find")}}
                    public long Count({{all.Declarations}}, {{Transaction}})
                        => CountRange({{KeyRange}}.Prefix(Key({{all.Names}})), transaction);
                    """);
            }

            // A unique index's Get encodes its whole value itself; the helpers serve the scans.
            for (var length = 1; length <= (index.Unique ? members.Count - 1 : members.Count); length++)
            {
                source.WriteLine();
                EmitKeyHelper(source, members.Take(length).ToList(), parameters.Take(length).ToList());
            }
        }
    }

    /// <summary>
    /// What a null bound of Range means when the leading member is nullable: the null value, which the key encoding sorts
    /// before every other value (the null marker), not an open end; empty for a member that cannot be null.
    /// </summary>
    private static string NullBounds(MemberModel lead, string name) => lead.Shape.IsNullable
        ? $" A null bound is the value null, not an open end: null sorts before every other value, so <c>Range(null, to)</c> includes the documents whose {name} is null, and <c>Range(from, null)</c> (or <c>Range(null, null)</c>) returns nothing."
        : "";

    /// <summary>
    /// The nested class of an index's accessor: By{Name}Index, with '_' appended while another index's accessor
    /// property has that name (indexes named A and AIndex would otherwise declare ByAIndex twice, CS0102).
    /// </summary>
    private static string AccessorClass(CollectionModel collection, IndexModel index)
    {
        var name = $"By{index.Name}Index";
        while (collection.Indexes.Any(other => "By" + other.Name == name))
        {
            name += "_";
        }

        return name;
    }

    /// <summary>Key(values...): the encoded leading index parts, through IndexAccessor.Encode.</summary>
    private static void EmitKeyHelper(SourceWriter source, List<MemberModel> members, List<(string TypeName, string Name)> parameters)
    {
        var declarations = string.Join(", ", parameters.Select(p => $"{p.TypeName} {p.Name}"));
        EmitKeyWrite(source, $"private static byte[] Key({declarations}) => Encode(", members, parameters, ");");
    }

    /// <summary>
    /// <paramref name="head"/>, the values of <paramref name="parameters"/> (one, or a tuple of them) and a static lambda
    /// writing them with the members' key encodings, then <paramref name="tail"/>: a call of IndexAccessor.Encode or
    /// GetUnique.
    /// </summary>
    private static void EmitKeyWrite(SourceWriter source, string head, List<MemberModel> members, List<(string TypeName, string Name)> parameters, string tail)
    {
        if (members.Count == 1)
        {
            var write = KeyCode.Write(members[0].Shape, "w", "v");
            source.WriteLine($"{head}{parameters[0].Name}, static (ref global::Persistence.Serialization.KeyWriter w, {parameters[0].TypeName} v) => {write}{tail}");
            return;
        }

        var tuple = "(" + string.Join(", ", parameters.Select(p => p.TypeName)) + ")";
        var values = "(" + string.Join(", ", parameters.Select(p => p.Name)) + ")";
        source.WriteLine($"{head}{values}, static (ref global::Persistence.Serialization.KeyWriter w, {tuple} v) =>");
        source.WriteLine("{");
        using (source.Indent())
        {
            for (var i = 0; i < members.Count; i++)
            {
                source.WriteLine(KeyCode.Write(members[i].Shape, "w", $"v.Item{Names.Invariant(i + 1)}") + ";");
            }
        }

        source.WriteLine("}" + tail);
    }

    /// <summary>
    /// The doc comment of a count (Count, CountByPrefix) of the entries <paramref name="entries"/> describes: it counts
    /// index entries, and unlike <paramref name="scan"/>, which reads the same entries, does not check them against their
    /// documents (IndexAccessor.CountRange).
    /// </summary>
    private static string CountSummary(string entries, string scan) => $$"""
        /// <summary>
        /// The number of index entries {{entries}}: what <c>{{scan}}</c> streams, counted from the entries without decoding a
        /// document (with expiring documents, those that expired are left out). Unlike <c>{{scan}}</c>, it does not check the entries
        /// against their documents: a stale entry (its document no longer has the indexed value) counts, where <c>{{scan}}</c> throws
        /// <see cref="global::Persistence.CorruptionException"/>; <c>CheckConsistency()</c> lists such entries.
        /// </summary>
        """;

    private static (string Declarations, string Names) Prefix(List<(string TypeName, string Name)> parameters, int length) =>
        (string.Join(", ", parameters.Take(length).Select(p => $"{p.TypeName} {p.Name}")), string.Join(", ", parameters.Take(length).Select(p => p.Name)));

    private static string Refs(IEnumerable<(string TypeName, string Name)> parameters) =>
        string.Join(", ", parameters.Select(p => $"<paramref name=\"{p.Name.TrimStart('@')}\"/>"));
}
