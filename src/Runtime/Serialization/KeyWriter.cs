using System.Buffers;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Persistence.Serialization;

/// <summary>
/// Builds order-preserving keys: the unsigned lexicographic order of the bytes equals the order of the values. Used by
/// generated code to encode primary keys and index keys.
/// Public for generated code only, and hidden from IntelliSense ([EditorBrowsable(Never)]); not meant for application code.
/// </summary>
/// <remarks>
/// <para>
/// Every part's encoding is prefix-free (self-delimiting), so a composite key is the concatenation of its parts and
/// compares part by part, the first part first. A part written with <c>descending: true</c> is the ascending encoding
/// with every byte inverted; inversion keeps a prefix-free code prefix-free and reverses its order, so such a part
/// sorts in reverse while the other parts keep theirs.
/// </para>
/// <para>Encodings (ascending; all integers big-endian):</para>
/// <list type="table">
/// <listheader><term>Type</term><description>Bytes</description></listheader>
/// <item><term>bool</term><description>1: 0x00 false, 0x01 true.</description></item>
/// <item><term>byte, ushort, UInt128, char</term><description>1, 2, 16, 2: the value.</description></item>
/// <item><term>sbyte, short, Int128</term><description>1, 2, 16: the value with its sign bit flipped.</description></item>
/// <item><term>uint, ulong</term><description>1 to 5, 1 to 9: the number n of significant bytes, then those n bytes (none for zero).</description></item>
/// <item><term>int, long</term><description>1 to 5, 1 to 9: for v ≥ 0, 0x80 + n then the n significant bytes of v; for v &lt; 0, 0x7F - n then the low n bytes of v, where n counts the significant bytes of -v - 1. An int and a long of equal value have the same key; 1,000,000 is 4 bytes.</description></item>
/// <item><term>Guid</term><description>16: <c>TryWriteBytes(bigEndian: true)</c>, which is the order of <see cref="Guid.CompareTo(Guid)"/>.</description></item>
/// <item><term>DateTime</term><description>9: Ticks (8), then Kind (1). Not converted between time zones.</description></item>
/// <item><term>DateTimeOffset</term><description>10: UtcTicks (8), then the offset in minutes as a short, sign bit flipped (2).</description></item>
/// <item><term>TimeSpan</term><description>8: Ticks as a long.</description></item>
/// <item><term>DateOnly, TimeOnly</term><description>As the long of their DayNumber or Ticks.</description></item>
/// <item><term>double, float</term><description>8, 4: NaN as all zeros; otherwise the IEEE bits of the value (-0.0 as +0.0), inverted when negative and with the sign bit set when positive.</description></item>
/// <item><term>decimal</term><description>1 to 17: class (0x01 negative, 0x02 zero, 0x03 positive); then for non-zero values the exponent E + 128 where value = ±0.d1d2...dn × 10^E (1 byte), then the significant digits without trailing zeros as nibbles d + 1, two a byte, ended by a zero nibble (a 0x00 byte when n is even). For negative values the bytes after the class are inverted.</description></item>
/// <item><term>string</term><description>Each UTF-16 code unit as UTF-8 would encode that code point (1 to 3 bytes; surrogates too), U+0000 as 0x00 0xFF; terminated by 0x00 0x01.</description></item>
/// <item><term>byte[]</term><description>The bytes, 0x00 escaped as 0x00 0xFF; terminated by 0x00 0x01.</description></item>
/// <item><term>nullable</term><description>0x00 for null; 0x01 followed by the value.</description></item>
/// </list>
/// <para>
/// Buffer: the writer starts in a caller-supplied span (typically <c>stackalloc</c>) and moves to an
/// <see cref="ArrayPool{T}"/> array when that is full. Intended call pattern in generated code:
/// <code>
/// using var key = new KeyWriter(stackalloc byte[128]);
/// key.WriteInt32(order.CustomerId);
/// key.WriteDateTime(order.PlacedAt, descending: true);
/// transaction.Put(keyspace, key.WrittenSpan, value);
/// </code>
/// <see cref="WrittenSpan"/> is valid until the next write or <see cref="Dispose"/>. The writer is a mutable struct:
/// pass it by <see langword="ref"/>. C# does not allow a <c>using</c> variable to be passed by reference, so code that
/// hands the writer to helper methods declares it plainly and calls <see cref="Dispose"/> in a <c>finally</c> block.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref partial struct KeyWriter
{
    private const int MinimumRentedSize = 256;

    private Span<byte> _buffer;
    private byte[]? _rented;
    private int _length;
    private List<int>? _charsAt;

    /// <summary>Creates a writer that starts in <paramref name="initialBuffer"/> and grows into pooled arrays.</summary>
    public KeyWriter(Span<byte> initialBuffer)
    {
        _buffer = initialBuffer;
        _rented = null;
        _length = 0;
        _charsAt = null;
    }

    /// <summary>The number of bytes written.</summary>
    public readonly int Length => _length;

    /// <summary>The key written so far. Valid until the next write, <see cref="Reset"/> or <see cref="Dispose"/>.</summary>
    public readonly ReadOnlySpan<byte> WrittenSpan => _buffer[.._length];

    /// <summary>Copies the key written so far into a new array.</summary>
    public readonly byte[] ToArray() => WrittenSpan.ToArray();

    /// <summary>
    /// Has every later <see cref="WriteChar"/> add the offset it writes at to <paramref name="offsets"/>: a char's bytes
    /// are a ushort's, and a key's description tells them apart by these (<see cref="Collections.KeyDescription"/>).
    /// </summary>
    internal void RecordCharsAt(List<int> offsets) => _charsAt = offsets;

    /// <summary>Empties the writer but keeps its buffer, to build another key.</summary>
    public void Reset() => _length = 0;

    /// <summary>Returns the pooled buffer, if any. The writer is empty afterwards.</summary>
    public void Dispose()
    {
        byte[]? rented = _rented;
        _rented = null;
        _buffer = default;
        _length = 0;
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Appends bytes unchanged, for example an already encoded primary key after an index key's parts.</summary>
    public void WriteRaw(scoped ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    /// <summary>Writes the marker of a null nullable part (0x00). Nothing follows it.</summary>
    public void WriteNull(bool descending = false) => Reserve(1)[0] = Mask(descending);

    /// <summary>Writes the marker of a non-null nullable part (0x01). The value must follow, with the same direction.</summary>
    public void WriteNotNull(bool descending = false) => Reserve(1)[0] = (byte)(0x01 ^ Mask(descending));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Mask(bool descending) => descending ? (byte)0xFF : (byte)0x00;

    /// <summary>Returns the next <paramref name="count"/> bytes and counts them as written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _length < count)
        {
            Grow(count);
        }

        Span<byte> span = _buffer.Slice(_length, count);
        _length += count;
        return span;
    }

    /// <summary>Returns at least <paramref name="count"/> free bytes without counting them as written.</summary>
    private Span<byte> GetFree(int count)
    {
        if (_buffer.Length - _length < count)
        {
            Grow(count);
        }

        return _buffer[_length..];
    }

    private void Grow(int count)
    {
        int needed = checked(_length + count);
        int size = Math.Max(needed, Math.Max(MinimumRentedSize, _buffer.Length * 2));
        byte[] array = ArrayPool<byte>.Shared.Rent(size);
        _buffer[.._length].CopyTo(array);
        byte[]? previous = _rented;
        _rented = array;
        _buffer = array;
        if (previous is not null)
        {
            ArrayPool<byte>.Shared.Return(previous);
        }
    }

    /// <summary>Inverts the bytes written since <paramref name="start"/>: turns an ascending part into a descending one.</summary>
    private readonly void InvertFrom(int start)
    {
        foreach (ref byte b in _buffer[start.._length])
        {
            b = (byte)~b;
        }
    }
}
