using Persistence.Ttl;

namespace Persistence.Tests.Ttl;

/// <summary>
/// A registered collection of nothing whose first flush runs <paramref name="code"/>: the application's code inside a
/// collector pass (the collector visits collections in the order they registered, and flushes each before collecting it).
/// </summary>
internal sealed class FirstFlushRuns(string name, Action code) : ITtlCollection
{
    private int _flushes;

    public string Name => name;

    public int CollectExpired(int batchSize, DateTimeOffset now) => 0;

    public int FlushAccesses()
    {
        if (Interlocked.Increment(ref _flushes) == 1)
        {
            code();
        }

        return 0;
    }
}
