namespace Persistence.Benchmarks.Measurement;

/// <summary>What <see cref="Race.Run{T}"/> measured: the foreground's result and wall time, the loop beside it, and the garbage collections meanwhile.</summary>
internal sealed record RaceResult<T>(T Foreground, TimeSpan ForegroundElapsed, LoopResult Loop, GcActivity Gc);
