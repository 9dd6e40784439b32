using System.Buffers;
using System.Buffers.Binary;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Persistence.Serialization;

/// <summary>
/// Writes MessagePack (https://github.com/msgpack/msgpack/blob/master/spec.md) into an <see cref="IBufferWriter{T}"/>.
/// Used by generated code to serialize documents.
/// Public for generated code only, and hidden from IntelliSense ([EditorBrowsable(Never)]); not meant for application code.
/// </summary>
/// <remarks>
/// <para>
/// Every value is written in the smallest format the specification allows for it, so equal values always produce
/// equal bytes. The writer keeps the span it last obtained from the output and fills it directly; those bytes are
/// handed to the output (<see cref="IBufferWriter{T}.Advance"/>) only by <see cref="Flush"/>, or when the span is full.
/// Call <see cref="Flush"/> before reading the output.
/// </para>
/// <para>
/// The writer is a mutable struct: pass it by <see langword="ref"/>, never by value, or the callee's writes are lost.
/// After any method throws, the output holds a partial value and must be discarded.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref partial struct MessagePackWriter
{
    private readonly IBufferWriter<byte> _output;

    // The span obtained from _output by the last GetSpan; its first _buffered bytes are written but not yet advanced.
    private Span<byte> _span;
    private int _buffered;

    /// <summary>Creates a writer that appends to <paramref name="output"/>.</summary>
    /// <param name="output">The destination; it must not be written to by anyone else until <see cref="Flush"/>.</param>
    public MessagePackWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _span = default;
        _buffered = 0;
    }

    /// <summary>Commits the buffered bytes to the output. Call it once when the document is complete.</summary>
    public void Flush()
    {
        if (_buffered > 0)
        {
            _output.Advance(_buffered);
        }

        // IBufferWriter invalidates a span once Advance is called, so the next write asks for a new one.
        _span = default;
        _buffered = 0;
    }

    /// <summary>Writes nil (0xc0). Used by generated code for null references and empty nullables.</summary>
    public void WriteNil() => Reserve(1)[0] = MessagePackCode.Nil;

    /// <summary>Writes true (0xc3) or false (0xc2).</summary>
    public void Write(bool value) => Reserve(1)[0] = value ? MessagePackCode.True : MessagePackCode.False;

    /// <summary>Writes an array header (fixarray, array16 or array32); <paramref name="count"/> values must follow.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public void WriteArrayHeader(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        WriteCollectionHeader(count, MessagePackCode.MinFixArray, MessagePackCode.Array16, MessagePackCode.Array32);
    }

    /// <summary>Writes a map header (fixmap, map16 or map32); <paramref name="count"/> key-value pairs must follow.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public void WriteMapHeader(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        WriteCollectionHeader(count, MessagePackCode.MinFixMap, MessagePackCode.Map16, MessagePackCode.Map32);
    }

    /// <summary>
    /// Copies <paramref name="bytes"/> to the output unchanged. Used by generated code to copy an already encoded value;
    /// the caller is responsible for the bytes being valid MessagePack.
    /// </summary>
    public void WriteRaw(scoped ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_span.Length == _buffered)
            {
                Refill(bytes.Length);
            }

            int chunk = Math.Min(bytes.Length, _span.Length - _buffered);
            bytes[..chunk].CopyTo(_span[_buffered..]);
            _buffered += chunk;
            bytes = bytes[chunk..];
        }
    }

    private void WriteCollectionHeader(int count, byte fixCode, byte code16, byte code32)
    {
        if (count <= 15)
        {
            Reserve(1)[0] = (byte)(fixCode | count);
        }
        else if (count <= ushort.MaxValue)
        {
            Span<byte> span = Reserve(3);
            span[0] = code16;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)count);
        }
        else
        {
            Span<byte> span = Reserve(5);
            span[0] = code32;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)count);
        }
    }

    /// <summary>Returns the next <paramref name="count"/> bytes of the output and counts them as written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Reserve(int count)
    {
        if (_span.Length - _buffered < count)
        {
            Refill(count);
        }

        Span<byte> span = _span.Slice(_buffered, count);
        _buffered += count;
        return span;
    }

    /// <summary>Returns at least <paramref name="count"/> free bytes without counting them; call <see cref="Commit"/> after.</summary>
    private Span<byte> GetFree(int count)
    {
        if (_span.Length - _buffered < count)
        {
            Refill(count);
        }

        return _span[_buffered..];
    }

    private void Commit(int count) => _buffered += count;

    private void Refill(int count)
    {
        Flush();
        _span = _output.GetSpan(count);
        if (_span.Length < count)
        {
            throw new InvalidOperationException(
                $"The output returned a span of {_span.Length} bytes when at least {count} were requested.");
        }
    }
}
