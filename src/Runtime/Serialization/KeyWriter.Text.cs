namespace Persistence.Serialization;

/// <content>
/// Strings and byte arrays. Both end with the terminator 0x00 0x01 and escape a content 0x00 as 0x00 0xFF, so the
/// terminator sorts below any content and a value that is a prefix of another sorts first ("a" &lt; "a\0" &lt; "ab").
/// </content>
public ref partial struct KeyWriter
{
    /// <summary>
    /// Writes a string in the order of <see cref="string.CompareOrdinal(string, string)"/> (UTF-16 code-unit order).
    /// Each code unit, including a lone surrogate, is encoded on its own as UTF-8 would encode that code point
    /// (CESU-8); plain UTF-8 would put U+10000 and above before U+E000-U+FFFF, which UTF-16 order does not.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null; use <see cref="WriteNullableString"/>.</exception>
    public void WriteString(string value, bool descending = false)
    {
        ArgumentNullException.ThrowIfNull(value);
        WriteString(value.AsSpan(), descending);
    }

    /// <summary>Writes a string given as a span of UTF-16 code units (see <see cref="WriteString(string, bool)"/>).</summary>
    public void WriteString(scoped ReadOnlySpan<char> value, bool descending = false)
    {
        int start = _length;
        WriteStringContent(value);
        WriteTerminator();
        if (descending)
        {
            InvertFrom(start);
        }
    }

    /// <summary>
    /// Writes the encoding of a string prefix: the string's encoding without its terminator. Every key whose string
    /// part starts with <paramref name="prefix"/> (after the same preceding parts) starts with these bytes, and only
    /// those do; together with <see cref="PrefixSuccessor"/> they bound a StartsWith range scan.
    /// </summary>
    public void WriteStringPrefix(scoped ReadOnlySpan<char> prefix, bool descending = false)
    {
        int start = _length;
        WriteStringContent(prefix);
        if (descending)
        {
            InvertFrom(start);
        }
    }

    /// <summary>
    /// Writes a byte array as <see cref="WriteBytes(ReadOnlySpan{byte}, bool)"/> does. A null array is refused, as a
    /// null string is, and nothing is written: it would otherwise convert to an empty span and be written as the empty
    /// array, so a key part stored or looked up as null would read back (or match) as empty. A nullable part is written
    /// with <see cref="WriteNullableBytes"/>.
    /// </summary>
    /// <exception cref="PersistenceSerializationException"><paramref name="value"/> is null.</exception>
    public void WriteBytes(byte[] value, bool descending = false)
    {
        if (value is null)
        {
            throw new PersistenceSerializationException("A byte[] key part is null, but its type is not nullable: it cannot be written to a key.");
        }

        WriteBytes(value.AsSpan(), descending);
    }

    /// <summary>Writes a byte sequence in unsigned lexicographic order, shorter before longer when one is a prefix of the other.</summary>
    public void WriteBytes(scoped ReadOnlySpan<byte> value, bool descending = false)
    {
        int start = _length;
        WriteBytesContent(value);
        WriteTerminator();
        if (descending)
        {
            InvertFrom(start);
        }
    }

    /// <summary>Writes the encoding of a byte-sequence prefix: its escaped bytes without the terminator.</summary>
    public void WriteBytesPrefix(scoped ReadOnlySpan<byte> prefix, bool descending = false)
    {
        int start = _length;
        WriteBytesContent(prefix);
        if (descending)
        {
            InvertFrom(start);
        }
    }

    private void WriteStringContent(scoped ReadOnlySpan<char> value)
    {
        // The common case, ASCII without NUL, is its own encoding byte for byte: one vectorized narrowing, and room for
        // only value.Length bytes (a 24-character email then fits a 64-byte stack buffer instead of renting). Two
        // vectorized passes rather than IndexOfAnyExceptInRange, whose precompiled form allocates 96 bytes a call until
        // the JIT recompiles it.
        if (System.Text.Ascii.IsValid(value) && !value.Contains('\0'))
        {
            System.Text.Ascii.FromUtf16(value, GetFree(value.Length), out var narrowed);
            _length += narrowed;
            return;
        }

        Span<byte> free = GetFree(checked(value.Length * 3));
        int written = 0;
        foreach (char c in value)
        {
            if (c is > '\0' and < '\u0080')
            {
                free[written++] = (byte)c;
            }
            else if (c == '\0')
            {
                free[written++] = 0x00;
                free[written++] = 0xFF;
            }
            else if (c < '\u0800')
            {
                free[written++] = (byte)(0xC0 | (c >> 6));
                free[written++] = (byte)(0x80 | (c & 0x3F));
            }
            else
            {
                free[written++] = (byte)(0xE0 | (c >> 12));
                free[written++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                free[written++] = (byte)(0x80 | (c & 0x3F));
            }
        }

        _length += written;
    }

    private void WriteBytesContent(scoped ReadOnlySpan<byte> value)
    {
        // Copy runs between zero bytes in bulk; each zero becomes 0x00 0xFF.
        while (true)
        {
            int zero = value.IndexOf((byte)0);
            if (zero < 0)
            {
                WriteRaw(value);
                return;
            }

            WriteRaw(value[..zero]);
            Span<byte> escape = Reserve(2);
            escape[0] = 0x00;
            escape[1] = 0xFF;
            value = value[(zero + 1)..];
        }
    }

    private void WriteTerminator()
    {
        Span<byte> terminator = Reserve(2);
        terminator[0] = 0x00;
        terminator[1] = 0x01;
    }
}
