namespace Persistence.Tests;

/// <summary>
/// Runs work that blocks (a commit held at a fault point, a commit queued behind it) on a thread of its own instead of
/// the thread pool. On a 2-core machine the pool starts with two threads and adds more only about once a second, and
/// the test runner's parallel classes await on the same pool: a handful of blocked pool threads stalls every test
/// for seconds.
/// </summary>
internal static class BlockingWork
{
    public static Task Run(Action work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
