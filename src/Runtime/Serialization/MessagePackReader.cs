using System.ComponentModel;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Persistence.Serialization;

/// <summary>
/// Reads MessagePack (https://github.com/msgpack/msgpack/blob/master/spec.md) from a span. Used by generated code to
/// deserialize documents.
/// Public for generated code only, and hidden from IntelliSense ([EditorBrowsable(Never)]); not meant for application code.
/// </summary>
/// <remarks>
/// <para>
/// Every method either consumes exactly one value (or header) and returns it, or throws
/// <see cref="PersistenceSerializationException"/> saying what was expected, what was found and at which byte offset.
/// Declared lengths are checked against the remaining input before anything is read, so hostile input can neither read
/// out of bounds nor make a loop run longer than the input is long. After a throw the reader's position is unspecified.
/// </para>
/// <para>
/// The reader is a mutable struct: pass it by <see langword="ref"/>. A copy is an independent cursor, which is the way
/// to look ahead without consuming.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref partial struct MessagePackReader
{
    /// <summary>
    /// The deepest nesting <see cref="EnterNested"/> allows. Generated code enters a level per nested object so that
    /// hostile input cannot overflow the stack through recursive deserializers.
    /// </summary>
    public const int MaxDepth = 512;

    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;
    private int _depth;

    /// <summary>Creates a reader positioned at the first byte of <paramref name="buffer"/>.</summary>
    public MessagePackReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
        _depth = 0;
    }

    /// <summary>The offset of the next byte to read, from the start of the input.</summary>
    public readonly int Position => _position;

    /// <summary>The number of bytes consumed so far; the same as <see cref="Position"/>.</summary>
    public readonly int Consumed => _position;

    /// <summary>True when every byte of the input has been consumed.</summary>
    public readonly bool End => _position >= _buffer.Length;

    /// <summary>The bytes not yet consumed.</summary>
    public readonly ReadOnlySpan<byte> Remaining => _buffer[_position..];

    /// <summary>The current nesting depth as counted by <see cref="EnterNested"/> and <see cref="ExitNested"/>.</summary>
    public readonly int Depth => _depth;

    /// <summary>Returns the family of the next value without consuming it.</summary>
    /// <exception cref="PersistenceSerializationException">The input is exhausted, or the next byte is the reserved 0xc1.</exception>
    public readonly MessagePackType PeekType()
    {
        if (_position >= _buffer.Length)
        {
            throw SerializationErrors.EndOfInput("a value", _position);
        }

        byte code = _buffer[_position];
        return MessagePackCode.TypeOf(code) ?? throw SerializationErrors.Unexpected("a value", _position, code);
    }

    /// <summary>Consumes a nil and returns true if the next value is nil; otherwise consumes nothing and returns false.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadNil()
    {
        if (_position < _buffer.Length && _buffer[_position] == MessagePackCode.Nil)
        {
            _position++;
            return true;
        }

        return false;
    }

    /// <summary>Reads a nil.</summary>
    public void ReadNil()
    {
        int start = _position;
        byte code = ReadCode("nil");
        if (code != MessagePackCode.Nil)
        {
            throw SerializationErrors.Unexpected("nil", start, code);
        }
    }

    /// <summary>Reads true or false. Integers are not accepted as booleans.</summary>
    public bool ReadBoolean()
    {
        int start = _position;
        byte code = ReadCode("a boolean");
        return code switch
        {
            MessagePackCode.True => true,
            MessagePackCode.False => false,
            _ => throw SerializationErrors.Unexpected("a boolean", start, code),
        };
    }

    /// <summary>
    /// Consumes the next <paramref name="count"/> bytes as they are, for example the payload after
    /// <see cref="ReadExtensionHeader"/>. The span points into the input.
    /// </summary>
    public ReadOnlySpan<byte> ReadRawSpan(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return ReadPayload(count, "raw bytes", _position);
    }

    /// <summary>Counts one more level of nesting. Used by generated code before it reads a nested object.</summary>
    /// <exception cref="PersistenceSerializationException">The nesting exceeds <see cref="MaxDepth"/>.</exception>
    public void EnterNested()
    {
        if (++_depth > MaxDepth)
        {
            throw SerializationErrors.Create(
                string.Create(CultureInfo.InvariantCulture, $"at most {MaxDepth} levels of nesting"),
                _position,
                "a deeper value");
        }
    }

    /// <summary>Counts one level of nesting less. Used by generated code after it has read a nested object.</summary>
    public void ExitNested() => _depth--;

    /// <summary>Consumes the first byte of a value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte ReadCode(string expected)
    {
        if (_position >= _buffer.Length)
        {
            throw SerializationErrors.EndOfInput(expected, _position);
        }

        return _buffer[_position++];
    }

    /// <summary>Consumes <paramref name="count"/> bytes belonging to the value that starts at <paramref name="valueOffset"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> ReadPayload(long count, string what, int valueOffset)
    {
        int remaining = _buffer.Length - _position;
        if (count > remaining)
        {
            throw SerializationErrors.Truncated(what, count, valueOffset, remaining);
        }

        ReadOnlySpan<byte> span = _buffer.Slice(_position, (int)count);
        _position += (int)count;
        return span;
    }
}
