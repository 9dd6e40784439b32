using System.Buffers.Binary;
using Persistence.Storage;

namespace Persistence.BTree;

/// <summary>
/// Cells of a branch page. Cell i holds a separator key and the child that holds keys in [key_i, key_{i+1}); the
/// key of cell 0 is empty and means "everything below key_1".
/// </summary>
/// <remarks>
/// <code>
/// offset size  field
///      0    2  key length
///      2    8  child page number (0 while the child exists only in memory)
///     10  len  separator key bytes
/// </code>
/// </remarks>
internal static class BranchPage
{
    public const int CellHeaderSize = 10;

    public static int CellSize(int keyLength) => CellHeaderSize + keyLength;

    public static int CellLength(ReadOnlySpan<byte> page, int offset) =>
        CellHeaderSize + BinaryPrimitives.ReadUInt16LittleEndian(page[offset..]);

    public static ReadOnlySpan<byte> Key(ReadOnlySpan<byte> page, int slot)
    {
        var offset = SlottedPage.CellOffset(page, slot);
        return page.Slice(offset + CellHeaderSize, BinaryPrimitives.ReadUInt16LittleEndian(page[offset..]));
    }

    public static PageId Child(ReadOnlySpan<byte> page, int slot) =>
        new(BinaryPrimitives.ReadInt64LittleEndian(page[(SlottedPage.CellOffset(page, slot) + 2)..]));

    public static void SetChild(Span<byte> page, int slot, PageId child) =>
        BinaryPrimitives.WriteInt64LittleEndian(page[(SlottedPage.CellOffset(page, slot) + 2)..], child.Value);

    /// <summary>The slot whose child covers <paramref name="key"/>: the last slot whose separator is ≤ the key.</summary>
    public static int FindChild(ReadOnlySpan<byte> page, ReadOnlySpan<byte> key) =>
        FindChild(page, key, 1, SlottedPage.Count(page));

    /// <summary>
    /// <see cref="FindChild(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> within separator slots [<paramref name="low"/>,
    /// <paramref name="end"/>), when every separator before <paramref name="low"/> is smaller than the key and every one
    /// from <paramref name="end"/> greater.
    /// </summary>
    public static int FindChild(ReadOnlySpan<byte> page, ReadOnlySpan<byte> key, int low, int end)
    {
        var high = end - 1;
        while (low <= high)
        {
            var mid = (int)((uint)(low + high) >> 1);
            if (KeyComparer.Compare(Key(page, mid), key) <= 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return low - 1;
    }

    public static void Insert(Span<byte> page, int slot, ReadOnlySpan<byte> key, PageId child)
    {
        var offset = SlottedPage.Insert(page, slot, CellSize(key.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(page[offset..], (ushort)key.Length);
        BinaryPrimitives.WriteInt64LittleEndian(page[(offset + 2)..], child.Value);
        key.CopyTo(page[(offset + CellHeaderSize)..]);
    }
}
