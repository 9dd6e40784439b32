using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Peers;

namespace Persistence.Benchmarks.Workloads;

/// <summary>W8: 1,000 consecutive users by primary key from a random start, all materialized. Counted as one scan.</summary>
internal sealed class ScanWorkload : ReadWorkload
{
    private const int Length = 1000;

    public override string Id => "W8";

    public override string Title => "scan 1,000 consecutive documents by primary key";

    protected override string Unit => "scans/s";

    protected override Func<IPeerSession, int> CreateOperation(WorkloadContext context, long documents, SplitMix64 random, ReadVariant variant)
    {
        var results = new List<User>(Length);
        return session =>
        {
            var first = 1 + random.NextLong(documents - Length + 1);
            results.Clear();
            var count = session.Scan(first, Length, results);
            return count == Length && results[0].Id == first && results[^1].Id == first + Length - 1 ? 0 : -1;
        };
    }
}
