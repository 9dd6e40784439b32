using Persistence.Diagnostics;

namespace Persistence.Tests.Diagnostics;

public sealed class StripedCounterTests
{
    [Fact]
    public void Concurrent_increments_from_many_threads_all_count()
    {
        var counter = new StripedCounter();
        const int threads = 8;
        const int each = 100_000;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            for (var i = 0; i < each; i++)
            {
                counter.Increment();
            }
        });

        Assert.Equal(threads * each, counter.Value);
    }

    [Fact]
    public void Starts_at_zero_and_counts_one_thread_exactly()
    {
        var counter = new StripedCounter();
        Assert.Equal(0, counter.Value);
        counter.Increment();
        counter.Increment();
        Assert.Equal(2, counter.Value);
    }
}
