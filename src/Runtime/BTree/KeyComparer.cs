using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Persistence.BTree;

/// <summary>
/// Unsigned lexicographic key comparison (memcmp order, shorter first on a common prefix), tuned for the short keys of
/// documents and indexes: the first eight bytes are compared as one big-endian integer, which decides almost every
/// comparison of encoded integers, and only longer keys fall through to the vectorized comparison.
/// </summary>
internal static class KeyComparer
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Compare(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        if (x.Length >= sizeof(ulong) && y.Length >= sizeof(ulong))
        {
            var a = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ulong>(ref MemoryMarshal.GetReference(x)));
            var b = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ulong>(ref MemoryMarshal.GetReference(y)));
            if (a != b)
            {
                return a < b ? -1 : 1;
            }

            return x.Length == sizeof(ulong) && y.Length == sizeof(ulong) ? 0 : x[sizeof(ulong)..].SequenceCompareTo(y[sizeof(ulong)..]);
        }

        return x.SequenceCompareTo(y);
    }
}
