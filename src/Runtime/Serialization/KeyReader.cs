using System.ComponentModel;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Persistence.Serialization;

/// <summary>
/// Decodes keys written by <see cref="KeyWriter"/>, part by part, in the order and directions they were written. Used
/// by generated code to recover primary-key and index-key values.
/// Public for generated code only, and hidden from IntelliSense ([EditorBrowsable(Never)]); not meant for application code.
/// </summary>
/// <remarks>
/// Every read either consumes one part and returns its value, or throws <see cref="PersistenceSerializationException"/>
/// saying what was expected, what was found and at which byte offset. Non-canonical encodings that
/// <see cref="KeyWriter"/> never produces (a NaN other than the canonical one, -0.0, a decimal with leading or trailing
/// zero digits, an overlong or invalid code-unit sequence) are rejected. The reader is a mutable struct: pass it by
/// <see langword="ref"/>.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref partial struct KeyReader
{
    private readonly ReadOnlySpan<byte> _key;
    private int _position;

    /// <summary>Creates a reader positioned at the first byte of <paramref name="key"/>.</summary>
    public KeyReader(ReadOnlySpan<byte> key)
    {
        _key = key;
        _position = 0;
    }

    /// <summary>The offset of the next byte to read.</summary>
    public readonly int Position => _position;

    /// <summary>True when every byte of the key has been consumed.</summary>
    public readonly bool End => _position >= _key.Length;

    /// <summary>The bytes not yet consumed, for example the primary key appended to an index key.</summary>
    public readonly ReadOnlySpan<byte> Remaining => _key[_position..];

    /// <summary>
    /// Checks that every byte of the key has been consumed, after its last part: a primary key is its parts and nothing
    /// more, so bytes after them mean it was not written by this key's encoding, and its parts must not be taken for
    /// values.
    /// </summary>
    /// <exception cref="PersistenceSerializationException">Bytes are left after the last part.</exception>
    public readonly void ReadEnd()
    {
        if (!End)
        {
            throw SerializationErrors.Create(
                "the end of the key", _position, string.Create(CultureInfo.InvariantCulture, $"{_key.Length - _position} more byte(s)"));
        }
    }

    /// <summary>
    /// Reads the marker of a nullable part: true when the part is null (nothing follows), false when a value follows.
    /// </summary>
    public bool ReadIsNull(bool descending = false)
    {
        int start = _position;
        byte marker = (byte)(Take(1, "nullable marker")[0] ^ Mask(descending));
        return marker switch
        {
            0x00 => true,
            0x01 => false,
            _ => throw SerializationErrors.Create(
                "a nullable marker (0x00 or 0x01)", start, string.Create(CultureInfo.InvariantCulture, $"0x{marker:x2}")),
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Mask(bool descending) => descending ? (byte)0xFF : (byte)0x00;

    /// <summary>Consumes <paramref name="count"/> bytes of a part, or throws if the key ends first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count, string part)
    {
        if (_key.Length - _position < count)
        {
            throw SerializationErrors.Truncated($"a {part} key part", count, _position, _key.Length - _position);
        }

        ReadOnlySpan<byte> span = _key.Slice(_position, count);
        _position += count;
        return span;
    }

    /// <summary>Consumes one byte of a variable-length part, un-inverted with <paramref name="mask"/>.</summary>
    private byte Next(byte mask, string part, int partStart)
    {
        if (_position >= _key.Length)
        {
            throw SerializationErrors.Create($"the rest of a {part} key part that starts", partStart, "the end of the key");
        }

        return (byte)(_key[_position++] ^ mask);
    }

    private static PersistenceSerializationException Invalid(string part, int offset, string found) =>
        SerializationErrors.Create($"a valid {part} key part", offset, found);
}
