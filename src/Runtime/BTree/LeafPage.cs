using System.Buffers.Binary;
using Persistence.Storage;

namespace Persistence.BTree;

/// <summary>
/// Cells of a leaf page, in key order (unsigned byte-wise, like memcmp).
/// </summary>
/// <remarks>
/// <code>
/// offset      size   field
///      0         2   key length
///      2         2   value length, or 0xFFFF when the value lives in an overflow extent
///      4    keyLen   key bytes
///  4+keyLen  valLen  value bytes (inline), or for overflow:
///                      +0 8 first page of the extent (0 while the value exists only in memory)
///                      +8 4 value length
///                     +12 4 in-memory handle (index into the node's large-value list; meaningless on disk)
/// </code>
/// </remarks>
internal static class LeafPage
{
    public const int CellHeaderSize = 4;
    public const int OverflowRefSize = 16;
    public const ushort OverflowMarker = 0xFFFF;

    public static int CellSize(int keyLength, int inlineValueLength) => CellHeaderSize + keyLength + inlineValueLength;

    public static int OverflowCellSize(int keyLength) => CellHeaderSize + keyLength + OverflowRefSize;

    public static int CellLength(ReadOnlySpan<byte> page, int offset)
    {
        var keyLength = BinaryPrimitives.ReadUInt16LittleEndian(page[offset..]);
        var valueLength = BinaryPrimitives.ReadUInt16LittleEndian(page[(offset + 2)..]);
        return CellHeaderSize + keyLength + (valueLength == OverflowMarker ? OverflowRefSize : valueLength);
    }

    public static ReadOnlySpan<byte> Key(ReadOnlySpan<byte> page, int slot)
    {
        var offset = SlottedPage.CellOffset(page, slot);
        var keyLength = BinaryPrimitives.ReadUInt16LittleEndian(page[offset..]);
        return page.Slice(offset + CellHeaderSize, keyLength);
    }

    public static bool IsOverflow(ReadOnlySpan<byte> page, int slot)
    {
        var offset = SlottedPage.CellOffset(page, slot);
        return BinaryPrimitives.ReadUInt16LittleEndian(page[(offset + 2)..]) == OverflowMarker;
    }

    /// <summary>The inline value of a slot that is not an overflow cell.</summary>
    public static ReadOnlySpan<byte> InlineValue(ReadOnlySpan<byte> page, int slot)
    {
        var offset = SlottedPage.CellOffset(page, slot);
        var keyLength = BinaryPrimitives.ReadUInt16LittleEndian(page[offset..]);
        var valueLength = BinaryPrimitives.ReadUInt16LittleEndian(page[(offset + 2)..]);
        return page.Slice(offset + CellHeaderSize + keyLength, valueLength);
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
        WriteCellHeader(page, offset, key, (ushort)value.Length);
        value.CopyTo(page[(offset + CellHeaderSize + key.Length)..]);
    }

    public static void InsertOverflow(Span<byte> page, int slot, ReadOnlySpan<byte> key, OverflowRef value)
    {
        var offset = SlottedPage.Insert(page, slot, OverflowCellSize(key.Length));
        WriteCellHeader(page, offset, key, OverflowMarker);
        var at = page[(offset + CellHeaderSize + key.Length)..];
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

    private static int OverflowRefOffset(ReadOnlySpan<byte> page, int slot)
    {
        var offset = SlottedPage.CellOffset(page, slot);
        return offset + CellHeaderSize + BinaryPrimitives.ReadUInt16LittleEndian(page[offset..]);
    }

    private static void WriteCellHeader(Span<byte> page, int offset, ReadOnlySpan<byte> key, ushort valueLength)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(page[offset..], (ushort)key.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(page[(offset + 2)..], valueLength);
        key.CopyTo(page[(offset + CellHeaderSize)..]);
    }
}
