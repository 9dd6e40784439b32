using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace Persistence.Generators.Emitting;

/// <summary>Identifiers and literals as generated code spells them.</summary>
internal static class Names
{
    /// <summary>The identifier, with '@' when it is a keyword ("class" becomes "@class").</summary>
    public static string Escape(string identifier) =>
        SyntaxFacts.GetKeywordKind(identifier) != SyntaxKind.None ? "@" + identifier : identifier;

    /// <summary>
    /// Parameter names for <paramref name="members"/>, in their order: camelCase, escaped, distinct, and never one of
    /// <paramref name="reserved"/>. Members whose names differ only in their first letter's case (<c>key</c> and
    /// <c>Key</c>) would share a name; a later one, or one that would take a reserved name, gets "Value" appended (then
    /// a number).
    /// </summary>
    public static List<string> Parameters(IEnumerable<string> members, params string[] reserved)
    {
        var taken = new HashSet<string>(reserved);
        var names = new List<string>();
        foreach (var member in members)
        {
            var camel = char.ToLowerInvariant(member[0]) + member.Substring(1);
            var name = camel;
            for (var suffix = 1; !taken.Add(name); suffix++)
            {
                name = camel + "Value" + (suffix == 1 ? "" : Invariant(suffix));
            }

            names.Add(Escape(name));
        }

        return names;
    }

    /// <summary>The parameter names for several members, as a comma-separated list of "type name" declarations.</summary>
    public static string Declarations(IEnumerable<(string Type, string Name)> parameters) =>
        string.Join(", ", parameters.Select(p => p.Type + " " + p.Name));

    /// <summary>A C# string literal ("Email" becomes "\"Email\"").</summary>
    public static string Literal(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                default:
                    if (c < ' ' || char.IsSurrogate(c))
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        return text.Append('"').ToString();
    }

    /// <summary>The UTF-8 length of a member name, which the deserializer switches on before comparing bytes.</summary>
    public static int Utf8Length(string value) => Encoding.UTF8.GetByteCount(value);

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
