using System.Numerics;

namespace Persistence.Diagnostics;

/// <summary>
/// A counter incremented on hot read paths by many threads: each thread adds to one of several slots, each on its own
/// cache line, so that concurrent readers do not contend on one line. Reading sums the slots (exact once increments
/// stop; a moment behind while they run).
/// </summary>
internal sealed class StripedCounter
{
    private const int SlotSpacing = 16; // longs: 128 bytes, two cache lines, so adjacent-line prefetch does not pair slots
    private readonly long[] _slots;
    private readonly int _mask;

    public StripedCounter()
    {
        var stripes = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(Environment.ProcessorCount, 1, 64));
        _mask = stripes - 1;
        _slots = new long[(stripes + 1) * SlotSpacing]; // slot i at (i + 1) * spacing: none shares the array header's line
    }

    public void Increment() => Interlocked.Increment(ref _slots[((Environment.CurrentManagedThreadId & _mask) + 1) * SlotSpacing]);

    public long Value
    {
        get
        {
            long sum = 0;
            for (var i = 1; i <= _mask + 1; i++)
            {
                sum += Volatile.Read(ref _slots[i * SlotSpacing]);
            }

            return sum;
        }
    }
}
