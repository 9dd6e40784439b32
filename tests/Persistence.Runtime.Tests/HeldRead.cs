using Persistence.Testing;

namespace Persistence.Tests;

/// <summary>
/// Holds one read of a simulated file in flight: once armed, the next read of the file's bytes (or of its length) on
/// the thread that armed it blocks, until <see cref="Release"/>. Tests use it to run <see cref="Database.Dispose"/>
/// while a read is under way, then let the read reach the "disk".
/// </summary>
internal sealed class HeldRead : IDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);
    private readonly SimulatedFileSystem _fs;
    private readonly ManualResetEventSlim _held = new();
    private readonly ManualResetEventSlim _release = new();
    private Func<bool>? _when;
    private int _thread; // the armed thread's id; 0 when not armed

    public HeldRead(SimulatedFileSystem fs, string path, bool ofLength = false)
    {
        _fs = fs;
        fs.BeforeRead = point =>
        {
            if (point.Path == path && point.OfLength == ofLength && Volatile.Read(ref _thread) == Environment.CurrentManagedThreadId
                && (_when?.Invoke() ?? true) && Interlocked.Exchange(ref _thread, 0) != 0)
            {
                _held.Set();
                _release.Wait();
            }
        };
    }

    /// <summary>Arms the hold for the calling thread's next read of the file for which <paramref name="when"/> holds.</summary>
    public void Arm(Func<bool>? when = null)
    {
        _when = when;
        Volatile.Write(ref _thread, Environment.CurrentManagedThreadId);
    }

    /// <summary>Waits until a read is held; fails if <paramref name="operation"/> ended first (it read nothing of the file).</summary>
    public void WaitUntilHeld(Task operation)
    {
        Assert.True(SpinWait.SpinUntil(() => _held.IsSet || operation.IsCompleted, HangGuard), "no read was held");
        Assert.True(_held.IsSet, $"the operation ended without reading the file: {operation.Exception}");
    }

    public void Release() => _release.Set();

    public void Dispose()
    {
        _release.Set();
        _fs.BeforeRead = null;
    }

    /// <summary>
    /// Waits until <paramref name="closing"/> (a <see cref="Database.Dispose"/> under way) either waits for the reads
    /// in flight or has closed <paramref name="path"/>: before the fix it closed the file under the held read.
    /// </summary>
    public static void WaitForClose(Database db, SimulatedFileSystem fs, string path, Task closing)
    {
        Assert.True(
            SpinWait.SpinUntil(() => db.Store!.Closing || fs.OpenHandles(path) == 0 || closing.IsCompleted, HangGuard),
            "the disposal neither waited for the read nor closed the file");
    }
}
