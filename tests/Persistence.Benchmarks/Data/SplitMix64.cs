namespace Persistence.Benchmarks.Data;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood): a tiny, fast generator whose output function is also a good 64-bit hash. Used
/// both as a per-thread random source and to derive every field of a user from (seed, Id) alone, so that any peer, any
/// thread and any run can regenerate the same document without holding the data set in memory.
/// </summary>
internal struct SplitMix64
{
    private const ulong Gamma = 0x9E37_79B9_7F4A_7C15;
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        _state += Gamma;
        return Mix(_state);
    }

    /// <summary>A value in [0, <paramref name="bound"/>), by Lemire's multiply-shift (the tiny bias is irrelevant here).</summary>
    public int NextInt(int bound) => (int)(((Next() >> 32) * (ulong)bound) >> 32);

    /// <summary>A value in [0, <paramref name="bound"/>).</summary>
    public long NextLong(long bound) => (long)Math.BigMul(Next(), (ulong)bound, out _);

    /// <summary>A double in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>The SplitMix64 finalizer: a bijective 64-bit mix.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB;
        return z ^ (z >> 31);
    }
}
