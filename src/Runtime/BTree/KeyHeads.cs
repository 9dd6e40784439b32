using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Persistence.BTree;

/// <summary>
/// A search accelerator for immutable nodes: eight bytes of every key as one big-endian word ("head"), zero-padded,
/// in one contiguous array, taken after the bytes every key of the node shares. A binary search over the heads touches a few cache lines instead of a slot
/// and a cell per probe; only keys whose heads equal the searched key's head are compared in full, in the page.
/// </summary>
/// <remarks>
/// Heads are monotone in key order (zero-padding keeps a proper prefix at or below its extensions), and a strictly
/// smaller head means a strictly smaller key; equal heads decide nothing, so those keys are compared in full. The
/// arrays live beside the node in memory only; the page format does not change.
/// </remarks>
internal static class KeyHeads
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Of(ReadOnlySpan<byte> key)
    {
        if (key.Length >= sizeof(ulong))
        {
            return BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ulong>(ref MemoryMarshal.GetReference(key)));
        }

        // Shorter keys (variable-length integers take 1 to 5 bytes) in two overlapping reads: the bytes both reads
        // hold land in the same place, so OR-ing them is exact.
        ref var first = ref MemoryMarshal.GetReference(key);
        var length = key.Length;
        if (length >= sizeof(uint))
        {
            ulong high = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<uint>(ref first));
            ulong low = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref first, length - sizeof(uint))));
            return (high << 32) | (low << (8 * (sizeof(ulong) - length)));
        }

        if (length >= sizeof(ushort))
        {
            ulong high = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ushort>(ref first));
            ulong low = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref first, length - sizeof(ushort))));
            return (high << 48) | (low << (8 * (sizeof(ulong) - length)));
        }

        return length == 0 ? 0 : (ulong)first << 56;
    }

    /// <summary>
    /// Words before the heads: the length of the node's common prefix, and the prefix (masked to its length). They share
    /// the array's first cache line with its length, which every search reads anyway.
    /// </summary>
    public const int Header = 2;

    /// <summary>
    /// The heads of every key of a leaf, or of every separator of a branch (slot 0, which has none, gets 0), taken after
    /// the bytes all of them share (up to eight): the keys of an index on e-mail addresses share "user1234" in a leaf,
    /// and heads of their first eight bytes would all be equal. The common prefix's length and the prefix come first
    /// (<see cref="Header"/>), so slot i's head is at index i + <see cref="Header"/>.
    /// </summary>
    public static ulong[] Build(byte[] page, bool leaf)
    {
        var count = SlottedPage.Count(page);
        var skip = CommonPrefix(page, leaf, count);
        var heads = new ulong[Header + count];
        heads[0] = (ulong)skip;
        heads[1] = skip == 0 ? 0 : Of(KeyAt(page, leaf, leaf ? 0 : 1)) & Mask(skip);
        for (var slot = leaf ? 0 : 1; slot < count; slot++)
        {
            heads[Header + slot] = Of(KeyAt(page, leaf, slot)[skip..]);
        }

        return heads;
    }

    /// <summary>
    /// True when <paramref name="heads"/> are exactly the heads <see cref="Build"/> would return for
    /// <paramref name="page"/>: a copy of a node whose keys did not change reuses its original's heads instead of
    /// allocating equal ones.
    /// </summary>
    public static bool Describe(ulong[] heads, byte[] page, bool leaf)
    {
        var count = SlottedPage.Count(page);
        if (heads.Length != Header + count)
        {
            return false;
        }

        var skip = CommonPrefix(page, leaf, count);
        if (heads[0] != (ulong)skip || heads[1] != (skip == 0 ? 0 : Of(KeyAt(page, leaf, leaf ? 0 : 1)) & Mask(skip)))
        {
            return false;
        }

        for (var slot = leaf ? 0 : 1; slot < count; slot++)
        {
            if (heads[Header + slot] != Of(KeyAt(page, leaf, slot)[skip..]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The slots [start, end) of a node with <paramref name="heads"/> that a search for <paramref name="key"/> must
    /// compare in full, from slot <paramref name="low"/> on: every slot before start holds a smaller key, every slot
    /// from end a greater one. A key outside the node's common prefix gets an empty range at the start or the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (int Start, int End) Narrow(ulong[] heads, int low, ReadOnlySpan<byte> key)
    {
        var skip = (int)heads[0];
        ulong head;
        if (skip == 0)
        {
            head = Of(key);
        }
        else
        {
            var word = Of(key);
            var prefix = word & Mask(skip);
            if (prefix != heads[1])
            {
                // Zero padding only lowers a short key's word, so a smaller word is a smaller key and a greater one greater.
                var at = prefix < heads[1] ? low : heads.Length - Header;
                return (at, at);
            }

            // A key of at most eight bytes has all its bytes in the word already (a shift by 64 would shift by nothing).
            head = key.Length > sizeof(ulong) ? Of(key[skip..]) : skip == sizeof(ulong) ? 0 : word << (8 * skip);
        }

        var (start, end) = EqualRange(heads, Header + low, heads.Length, head);
        return (start - Header, end - Header);
    }

    /// <summary>The bytes (at most eight) every key of the node starts with: those its first and last key share.</summary>
    private static int CommonPrefix(byte[] page, bool leaf, int count)
    {
        var first = leaf ? 0 : 1;
        return count - first < 2 ? 0 : Math.Min(sizeof(ulong), KeyAt(page, leaf, first).CommonPrefixLength(KeyAt(page, leaf, count - 1)));
    }

    private static ulong Mask(int bytes) => ulong.MaxValue << (64 - (8 * bytes));

    private static ReadOnlySpan<byte> KeyAt(byte[] page, bool leaf, int slot) => leaf ? LeafPage.Key(page, slot) : BranchPage.Key(page, slot);

    /// <summary>
    /// Narrows [<paramref name="low"/>, <paramref name="high"/>) to the slots whose head equals <paramref name="head"/>:
    /// every slot before the result's start holds a smaller key, every slot from its end a greater one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (int Start, int End) EqualRange(ulong[] heads, int low, int high, ulong head)
    {
        var start = low + LowerBound(heads.AsSpan(low, high - low), head);
        if (start == high || heads[start] != head)
        {
            return (start, start);
        }

        // Keys sharing their first eight bytes (a common prefix in an index, say) may fill a stretch of the page.
        var end = start + 1;
        if (end < high && heads[end] == head)
        {
            end = head == ulong.MaxValue ? high : end + LowerBound(heads.AsSpan(end, high - end), head + 1);
        }

        return (start, end);
    }

    internal static int LowerBound(ReadOnlySpan<ulong> heads, ulong head)
    {
        var low = 0;
        var length = heads.Length;
        while (length > 0)
        {
            var half = length >> 1;
            if (heads[low + half] < head)
            {
                low += half + 1;
                length -= half + 1;
            }
            else
            {
                length = half;
            }
        }

        return low;
    }
}
