using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace Persistence.Benchmarks.Measurement;

/// <summary>
/// Measures the peak resident set (working set) of one peer phase. All peers share one process, so
/// <c>Process.PeakWorkingSet64</c> (the peak since the process started) cannot tell them apart. Instead, before each
/// phase the probe collects garbage aggressively (which decommits the managed heap), asks glibc to return freed native
/// memory (<c>malloc_trim</c>, for SQLite's caches of the previous phase), reads the resident set as the baseline and
/// resets the kernel's high-water mark by writing 5 to <c>/proc/self/clear_refs</c> (Linux 4.0+); at the end it reads
/// <c>VmHWM</c>, the exact peak since that reset. Where the reset is not possible it falls back to sampling
/// <see cref="Environment.WorkingSet"/> every 5 ms on a timer, which can miss short spikes.
/// The reported growth (peak minus baseline) is the phase's own memory: the runtime, the JIT-compiled code and the
/// runner are in the baseline. Memory a previous phase left committed and this phase reused would hide in the baseline,
/// which is why the baseline is taken after the collection and the trim.
/// </summary>
internal sealed class MemoryProbe : IDisposable
{
    private readonly Timer? _sampler;
    private long _sampledPeak;

    private MemoryProbe(long baseline, bool exact)
    {
        BaselineBytes = baseline;
        IsExact = exact;
        _sampledPeak = baseline;
        if (!exact)
        {
            _sampler = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(5));
        }
    }

    /// <summary>The resident set when the phase started, after collecting.</summary>
    public long BaselineBytes { get; }

    /// <summary>True when the peak is the kernel's exact high-water mark, false when it was sampled.</summary>
    public bool IsExact { get; }

    /// <summary>Describes the method, for the report.</summary>
    public string Method => IsExact ? "exact: VmHWM after resetting it through /proc/self/clear_refs" : "sampled every 5 ms";

    public static MemoryProbe Start()
    {
        Settle();
        var exact = TryResetPeak();
        var baseline = ReadStatus("VmRSS:") ?? Environment.WorkingSet;
        return new MemoryProbe(baseline, exact && ReadStatus("VmHWM:") is not null);
    }

    /// <summary>Collects garbage and returns free memory to the OS, so that one phase does not bill the next.</summary>
    public static void Settle()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (OperatingSystem.IsLinux())
        {
            try
            {
                _ = MallocTrim(0);
            }
            catch (EntryPointNotFoundException)
            {
                // Not glibc (musl): nothing to trim.
            }
            catch (DllNotFoundException)
            {
                // Same.
            }
        }
    }

    /// <summary>The peak resident set since <see cref="Start"/>, in bytes.</summary>
    public long PeakBytes()
    {
        if (IsExact)
        {
            return ReadStatus("VmHWM:") ?? _sampledPeak;
        }

        Sample();
        return Interlocked.Read(ref _sampledPeak);
    }

    public void Dispose() => _sampler?.Dispose();

    private void Sample()
    {
        var now = Environment.WorkingSet;
        long seen;
        while (now > (seen = Interlocked.Read(ref _sampledPeak)) && Interlocked.CompareExchange(ref _sampledPeak, now, seen) != seen)
        {
        }
    }

    private static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>A "kB" line of /proc/self/status, in bytes, or null off Linux.</summary>
    private static long? ReadStatus(string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var digits = line[field.Length..].Trim().Split(' ')[0];
                    return long.Parse(digits, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
