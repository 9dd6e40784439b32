using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Persistence.Storage;

namespace Persistence.BTree;

/// <summary>
/// Cells of a leaf page, in key order (unsigned byte-wise, like memcmp).
/// </summary>
/// <remarks>
/// A cell starts with a variable-length header, so that the small cells of index trees and of small documents spend
/// one or two bytes on it rather than a fixed four:
/// <code>
/// field          size      content
/// head           1-3       varint: key length × 4 + kind (kind 0: no value, 1: inline value, 2: overflow value)
/// key            keyLen    key bytes
/// value length   1-3       varint, kind 1 only (1 or more)
/// value          valLen    kind 1: the value bytes; kind 2: an overflow reference of 16 bytes:
///                            +0 8 first page of the extent (0 while the value exists only in memory)
///                            +8 4 value length
///                           +12 4 in-memory handle (index into the node's large-value list; meaningless on disk)
/// </code>
/// Varints are little-endian groups of 7 bits, the high bit set on every byte but the last. A key of up to 31 bytes
/// has a one-byte head, so <see cref="Key(ReadOnlySpan{byte}, int)"/>, the search's inner step, reads one byte
/// before the key. An empty value takes no bytes at all (a non-unique index entry is a head and a key).
/// </remarks>
internal static class LeafPage
{
    public const int OverflowRefSize = 16;

    private const int KindNone = 0;
    private const int KindInline = 1;
    private const int KindOverflow = 2;

    /// <summary>The bytes a cell with a key of <paramref name="keyLength"/> and an inline value of <paramref name="inlineValueLength"/> takes.</summary>
    public static int CellSize(int keyLength, int inlineValueLength) =>
        inlineValueLength == 0
            ? VarIntSize((keyLength << 2) | KindNone) + keyLength
            : VarIntSize((keyLength << 2) | KindInline) + keyLength + VarIntSize(inlineValueLength) + inlineValueLength;

    /// <summary>The bytes a cell with a key of <paramref name="keyLength"/> and an overflow value takes.</summary>
    public static int OverflowCellSize(int keyLength) => VarIntSize((keyLength << 2) | KindOverflow) + keyLength + OverflowRefSize;

    public static int CellLength(ReadOnlySpan<byte> page, int offset)
    {
        var head = ReadVarInt(page, ref offset);
        offset += head >> 2;
        return (head & 3) switch
        {
            KindNone => CellSize(head >> 2, 0),
            KindInline => CellSize(head >> 2, ReadVarInt(page, ref offset)),
            KindOverflow => OverflowCellSize(head >> 2),
            _ => throw BadKind(),
        };
    }

    /// <summary>
    /// The length of the cell at <paramref name="offset"/>, or false when its head is malformed or the cell runs past
    /// the end of <paramref name="page"/>. Never reads outside the page: salvage checks, with it, pages whose cells
    /// cannot be trusted before anything is read from them.
    /// </summary>
    public static bool TryCellLength(ReadOnlySpan<byte> page, int offset, out int length)
    {
        length = 0;
        var at = offset;
        if (!TryReadVarInt(page, ref at, out var head))
        {
            return false;
        }

        at += head >> 2; // the key
        switch (head & 3)
        {
            case KindNone:
                break;
            case KindInline:
                if (at > page.Length || !TryReadVarInt(page, ref at, out var valueLength))
                {
                    return false;
                }

                at += valueLength;
                break;
            case KindOverflow:
                at += OverflowRefSize;
                break;
            default:
                return false;
        }

        length = at - offset;
        return at <= page.Length;
    }

    public static ReadOnlySpan<byte> Key(ReadOnlySpan<byte> page, int slot)
    {
        var offset = SlottedPage.CellOffset(page, slot);
        var first = page[offset];
        if (first < 0x80)
        {
            return page.Slice(offset + 1, first >> 2);
        }

        var head = ReadVarInt(page, ref offset);
        return page.Slice(offset, head >> 2);
    }

    public static bool IsOverflow(ReadOnlySpan<byte> page, int slot)
    {
        var offset = SlottedPage.CellOffset(page, slot);
        return (ReadVarInt(page, ref offset) & 3) == KindOverflow;
    }

    /// <summary>The inline value of a slot that is not an overflow cell (empty for a cell without a value).</summary>
    public static ReadOnlySpan<byte> InlineValue(ReadOnlySpan<byte> page, int slot)
    {
        var offset = SlottedPage.CellOffset(page, slot);
        var head = ReadVarInt(page, ref offset);
        offset += head >> 2;
        switch (head & 3)
        {
            case KindNone:
                return [];
            case KindInline:
                var length = ReadVarInt(page, ref offset);
                return page.Slice(offset, length);
            default:
                throw BadKind();
        }
    }

    public static OverflowRef Overflow(ReadOnlySpan<byte> page, int slot)
    {
        var at = OverflowRefOffset(page, slot);
        return new OverflowRef(
            new PageId(BinaryPrimitives.ReadInt64LittleEndian(page[at..])),
            BinaryPrimitives.ReadInt32LittleEndian(page[(at + 8)..]),
            BinaryPrimitives.ReadInt32LittleEndian(page[(at + 12)..]));
    }

    /// <summary>Records where a checkpoint wrote an overflow value.</summary>
    public static void SetOverflowPage(Span<byte> page, int slot, PageId first) =>
        BinaryPrimitives.WriteInt64LittleEndian(page[OverflowRefOffset(page, slot)..], first.Value);

    /// <summary>Binary search. Returns the slot of <paramref name="key"/>, or the slot where it would be inserted.</summary>
    public static int Find(ReadOnlySpan<byte> page, ReadOnlySpan<byte> key, out bool found) =>
        Find(page, key, 0, SlottedPage.Count(page), out found);

    /// <summary>
    /// Binary search within slots [<paramref name="low"/>, <paramref name="end"/>), when every slot before
    /// <paramref name="low"/> holds a smaller key and every slot from <paramref name="end"/> a greater one.
    /// </summary>
    public static int Find(ReadOnlySpan<byte> page, ReadOnlySpan<byte> key, int low, int end, out bool found)
    {
        var high = end - 1;
        while (low <= high)
        {
            var mid = (int)((uint)(low + high) >> 1);
            var cmp = KeyComparer.Compare(Key(page, mid), key);
            if (cmp == 0)
            {
                found = true;
                return mid;
            }

            if (cmp < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        found = false;
        return low;
    }

    public static void InsertInline(Span<byte> page, int slot, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var offset = SlottedPage.Insert(page, slot, CellSize(key.Length, value.Length));
        if (value.IsEmpty)
        {
            WriteHead(page, offset, key, KindNone);
            return;
        }

        offset = WriteHead(page, offset, key, KindInline);
        offset += WriteVarInt(page, offset, value.Length);
        value.CopyTo(page[offset..]);
    }

    public static void InsertOverflow(Span<byte> page, int slot, ReadOnlySpan<byte> key, OverflowRef value)
    {
        var offset = SlottedPage.Insert(page, slot, OverflowCellSize(key.Length));
        var at = page[WriteHead(page, offset, key, KindOverflow)..];
        BinaryPrimitives.WriteInt64LittleEndian(at, value.FirstPage.Value);
        BinaryPrimitives.WriteInt32LittleEndian(at[8..], value.Length);
        BinaryPrimitives.WriteInt32LittleEndian(at[12..], value.Handle);
    }

    /// <summary>Copies cell <paramref name="slot"/> of <paramref name="source"/> verbatim into <paramref name="target"/> at <paramref name="targetSlot"/>.</summary>
    public static void CopyCell(ReadOnlySpan<byte> source, int slot, Span<byte> target, int targetSlot)
    {
        var offset = SlottedPage.CellOffset(source, slot);
        var length = CellLength(source, offset);
        var at = SlottedPage.Insert(target, targetSlot, length);
        source.Slice(offset, length).CopyTo(target[at..]);
    }

    /// <summary>The bytes <paramref name="value"/> (0 or more) takes as a varint.</summary>
    public static int VarIntSize(int value) => value < 0x80 ? 1 : value < 0x4000 ? 2 : 3;

    private static int OverflowRefOffset(ReadOnlySpan<byte> page, int slot)
    {
        var offset = SlottedPage.CellOffset(page, slot);
        var head = ReadVarInt(page, ref offset);
        if ((head & 3) != KindOverflow)
        {
            throw BadKind();
        }

        return offset + (head >> 2);
    }

    /// <summary>Writes the head and the key at <paramref name="offset"/>; returns the offset after the key.</summary>
    private static int WriteHead(Span<byte> page, int offset, ReadOnlySpan<byte> key, int kind)
    {
        offset += WriteVarInt(page, offset, (key.Length << 2) | kind);
        key.CopyTo(page[offset..]);
        return offset + key.Length;
    }

    private static int WriteVarInt(Span<byte> page, int offset, int value)
    {
        var size = 0;
        while (value >= 0x80)
        {
            page[offset + size++] = (byte)(value | 0x80);
            value >>= 7;
        }

        page[offset + size++] = (byte)value;
        return size;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ReadVarInt(ReadOnlySpan<byte> page, ref int offset)
    {
        int value = page[offset++];
        if (value < 0x80)
        {
            return value;
        }

        value &= 0x7F;
        for (var shift = 7; ; shift += 7)
        {
            int next = page[offset++];
            value |= (next & 0x7F) << shift;
            if (next < 0x80)
            {
                return value;
            }

            if (shift == 14)
            {
                throw BadKind();
            }
        }
    }

    /// <summary><see cref="ReadVarInt"/> that fails instead of reading past the end of <paramref name="page"/>.</summary>
    private static bool TryReadVarInt(ReadOnlySpan<byte> page, ref int offset, out int value)
    {
        value = 0;
        for (var shift = 0; shift <= 14; shift += 7)
        {
            if (offset >= page.Length)
            {
                return false;
            }

            int next = page[offset++];
            value |= (next & 0x7F) << shift;
            if (next < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    private static CorruptionException BadKind() =>
        new(ErrorCode.Corruption, "A leaf cell's header is malformed (a page that passed its checksum holds an invalid cell).");
}
