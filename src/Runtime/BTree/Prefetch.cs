using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Persistence.BTree;

/// <summary>
/// Software prefetches: hints that the processor should start loading the cache lines a search reads next, so that
/// misses the search would take one after another overlap instead.
/// </summary>
/// <remarks>
/// A prefetch never faults and changes nothing the program computes: when the collector moves an array between taking
/// its address and the prefetch, the hint is just wasted. Without the instruction (processors other than x86) these do
/// nothing.
/// </remarks>
internal static class Prefetch
{
    private const int LineSize = 64;

    /// <summary>Prefetches the lines of <paramref name="array"/>[<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Lines<T>(T[] array, int start, int count)
        where T : unmanaged =>
        Lines(MemoryMarshal.AsBytes(array.AsSpan(start, count)));

    /// <summary>Prefetches the lines that <paramref name="bytes"/> spans.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Lines(ReadOnlySpan<byte> bytes)
    {
        if (!Sse.IsSupported || bytes.IsEmpty)
        {
            return;
        }

        var address = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(bytes));
        for (var offset = 0; offset < bytes.Length; offset += LineSize)
        {
            Sse.Prefetch0(address + offset);
        }

        Sse.Prefetch0(address + bytes.Length - 1); // the last line, when the span does not start on a line boundary
    }
}
