using System;
using System.Text;

namespace Persistence.Generators.Emitting;

/// <summary>
/// Builds indented C# text. Each line written is indented to the current level; a multi-line string (a raw string
/// literal template) is split and every line indented, so templates are written without leading indentation. Lines
/// end with '\n' whatever the platform, so output is identical everywhere.
/// </summary>
internal sealed class SourceWriter
{
    private const int IndentSize = 4;
    private readonly StringBuilder _text = new();
    private int _indent;

    /// <summary>Writes each line of <paramref name="text"/> at the current indentation (empty lines stay empty).</summary>
    public void WriteLine(string text)
    {
        foreach (var line in text.Replace("\r\n", "\n").Split('\n'))
        {
            if (line.Length > 0)
            {
                _text.Append(' ', _indent * IndentSize).Append(line);
            }

            _text.Append('\n');
        }
    }

    /// <summary>Writes an empty line.</summary>
    public void WriteLine() => _text.Append('\n');

    /// <summary>Writes <paramref name="header"/> (if any) and an opening brace, and indents until the returned scope is disposed.</summary>
    public Block Open(string? header = null)
    {
        if (header is not null)
        {
            WriteLine(header);
        }

        WriteLine("{");
        _indent++;
        return new Block(this);
    }

    /// <summary>Indents by one level until the returned scope is disposed, without braces.</summary>
    public Indentation Indent()
    {
        _indent++;
        return new Indentation(this);
    }

    public override string ToString() => _text.ToString();

    /// <summary>Closes a brace block.</summary>
    public readonly struct Block(SourceWriter writer) : IDisposable
    {
        public void Dispose()
        {
            writer._indent--;
            writer.WriteLine("}");
        }
    }

    /// <summary>Ends an indentation.</summary>
    public readonly struct Indentation(SourceWriter writer) : IDisposable
    {
        public void Dispose() => writer._indent--;
    }
}
