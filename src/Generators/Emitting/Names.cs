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

    /// <summary>A parameter name for a member: camelCase, escaped, and never one of <paramref name="reserved"/>.</summary>
    public static string Parameter(string member, params string[] reserved)
    {
        var name = char.ToLowerInvariant(member[0]) + member.Substring(1);
        if (reserved.Contains(name))
        {
            name += "Value";
        }

        return Escape(name);
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
