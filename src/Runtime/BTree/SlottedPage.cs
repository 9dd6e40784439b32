using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Persistence.Storage;

namespace Persistence.BTree;

/// <summary>
/// Slot-array mechanics shared by leaf and branch pages: a sorted array of 2-byte cell offsets growing up from the
/// header, and cells growing down from the end of the page. Deleting a cell only adds to the fragmented count;
/// <see cref="Insert"/> compacts when the contiguous gap is too small but the total free space is enough.
/// </summary>
internal static class SlottedPage
{
    public const int SlotSize = 2;

    public static int Count(ReadOnlySpan<byte> page) => PageHeader.GetCount(page);

    public static int Upper(ReadOnlySpan<byte> page) => BinaryPrimitives.ReadInt32LittleEndian(page[PageHeader.UpperOffset..]);

    public static int Fragmented(ReadOnlySpan<byte> page) => BinaryPrimitives.ReadInt32LittleEndian(page[PageHeader.FragmentedOffset..]);

    public static int Lower(ReadOnlySpan<byte> page) => PageHeader.Size + (Count(page) * SlotSize);

    /// <summary>Free bytes, counting those compaction would reclaim.</summary>
    public static int FreeSpace(ReadOnlySpan<byte> page) => Upper(page) - Lower(page) + Fragmented(page);

    /// <summary>Bytes in use by slots and live cells.</summary>
    public static int UsedSpace(ReadOnlySpan<byte> page) => page.Length - PageHeader.Size - FreeSpace(page);

    public static int CellOffset(ReadOnlySpan<byte> page, int slot) =>
        BinaryPrimitives.ReadUInt16LittleEndian(page[(PageHeader.Size + (slot * SlotSize))..]);

    public static int CellLength(ReadOnlySpan<byte> page, int offset) =>
        PageHeader.GetType(page) == PageType.Branch ? BranchPage.CellLength(page, offset) : LeafPage.CellLength(page, offset);

    /// <summary>True when a cell of <paramref name="cellSize"/> bytes plus its slot fits, after compaction if need be.</summary>
    public static bool Fits(ReadOnlySpan<byte> page, int cellSize) => FreeSpace(page) >= cellSize + SlotSize;

    /// <summary>
    /// Reserves <paramref name="cellSize"/> bytes for a new cell and inserts a slot for it at <paramref name="slot"/>;
    /// returns the cell's offset. The caller has checked <see cref="Fits"/>.
    /// </summary>
    public static int Insert(Span<byte> page, int slot, int cellSize)
    {
        var count = Count(page);
        if (Upper(page) - Lower(page) < cellSize + SlotSize)
        {
            Compact(page);
        }

        var upper = Upper(page) - cellSize;
        SetUpper(page, upper);
        var slots = page[PageHeader.Size..];
        slots[(slot * SlotSize)..(count * SlotSize)].CopyTo(slots[((slot + 1) * SlotSize)..]);
        BinaryPrimitives.WriteUInt16LittleEndian(slots[(slot * SlotSize)..], checked((ushort)upper));
        PageHeader.SetCount(page, count + 1);
        return upper;
    }

    /// <summary>Removes slot <paramref name="slot"/>; its cell's bytes become fragmented free space.</summary>
    public static void Remove(Span<byte> page, int slot)
    {
        var count = Count(page);
        var offset = CellOffset(page, slot);
        var length = CellLength(page, offset);
        var slots = page[PageHeader.Size..];
        slots[((slot + 1) * SlotSize)..(count * SlotSize)].CopyTo(slots[(slot * SlotSize)..]);
        PageHeader.SetCount(page, count - 1);
        if (offset == Upper(page))
        {
            SetUpper(page, offset + length);
        }
        else
        {
            SetFragmented(page, Fragmented(page) + length);
        }
    }

    /// <summary>
    /// Moves the <paramref name="count"/> cells from slot <paramref name="from"/> of <paramref name="source"/> to slot
    /// <paramref name="at"/> of <paramref name="target"/>, in order, shifting each slot array once; the cells' bytes in
    /// the source become fragmented free space. The caller has checked that they fit in the target, after compaction
    /// if need be. Costs what the moved cells do, where rebuilding both pages would cost all their cells.
    /// </summary>
    public static void MoveCells(Span<byte> source, int from, int count, Span<byte> target, int at)
    {
        var bytes = 0;
        for (var i = 0; i < count; i++)
        {
            bytes += CellLength(source, CellOffset(source, from + i));
        }

        Debug.Assert(FreeSpace(target) >= bytes + (count * SlotSize), "the caller checks that the cells fit");
        if (Upper(target) - Lower(target) < bytes + (count * SlotSize))
        {
            Compact(target);
        }

        var targetCount = Count(target);
        var targetSlots = target[PageHeader.Size..];
        targetSlots[(at * SlotSize)..(targetCount * SlotSize)].CopyTo(targetSlots[((at + count) * SlotSize)..]);
        var upper = Upper(target);
        for (var i = 0; i < count; i++)
        {
            var offset = CellOffset(source, from + i);
            var length = CellLength(source, offset);
            upper -= length;
            source.Slice(offset, length).CopyTo(target[upper..]);
            BinaryPrimitives.WriteUInt16LittleEndian(targetSlots[((at + i) * SlotSize)..], checked((ushort)upper));
        }

        SetUpper(target, upper);
        PageHeader.SetCount(target, targetCount + count);

        var sourceCount = Count(source);
        var sourceSlots = source[PageHeader.Size..];
        sourceSlots[((from + count) * SlotSize)..(sourceCount * SlotSize)].CopyTo(sourceSlots[(from * SlotSize)..]);
        PageHeader.SetCount(source, sourceCount - count);
        SetFragmented(source, Fragmented(source) + bytes);
    }

    /// <summary>
    /// Copies the header, the slot array and the cell area of <paramref name="source"/> to the same offsets of
    /// <paramref name="target"/>, but not the free gap between them: nothing reads a page's gap (inserts write into
    /// it, compaction rewrites the cells), so the target's gap may keep whatever it held.
    /// </summary>
    public static void CopyUsed(ReadOnlySpan<byte> source, Span<byte> target)
    {
        var upper = Upper(source);
        source[..Lower(source)].CopyTo(target);
        source[upper..].CopyTo(target[upper..]);
    }

    /// <summary>Rewrites the cells contiguously at the end of the page, in slot order, so fragmented space is reclaimed.</summary>
    [SkipLocalsInit] // the scratch is written before it is read
    public static void Compact(Span<byte> page)
    {
        var count = Count(page);
        var start = Upper(page);
        var branch = PageHeader.GetType(page) == PageType.Branch;
        var scratch = page.Length <= 16384 ? stackalloc byte[page.Length] : new byte[page.Length];
        page[start..].CopyTo(scratch[start..]);
        var upper = page.Length;
        for (var i = 0; i < count; i++)
        {
            // Slot i is read before it is rewritten; the cells are read from the scratch copy, at the same offsets.
            var offset = CellOffset(page, i);
            var length = branch ? BranchPage.CellLength(scratch, offset) : LeafPage.CellLength(scratch, offset);
            upper -= length;
            scratch.Slice(offset, length).CopyTo(page[upper..]);
            BinaryPrimitives.WriteUInt16LittleEndian(page[(PageHeader.Size + (i * SlotSize))..], checked((ushort)upper));
        }

        SetUpper(page, upper);
        SetFragmented(page, 0);
    }

    private static void SetUpper(Span<byte> page, int upper) =>
        BinaryPrimitives.WriteInt32LittleEndian(page[PageHeader.UpperOffset..], upper);

    private static void SetFragmented(Span<byte> page, int bytes) =>
        BinaryPrimitives.WriteInt32LittleEndian(page[PageHeader.FragmentedOffset..], bytes);
}
