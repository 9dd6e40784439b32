using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Peers;

namespace Persistence.Benchmarks.Workloads;

/// <summary>W6: <c>Age == a</c> for a random age, ordered by Id, first 100, materialized. Counted as one query.</summary>
internal sealed class AgeRangeWorkload : ReadWorkload
{
    private const int Limit = 100;

    public override string Id => "W6";

    public override string Title => "Age == a ordered by Id, first 100 (index range)";

    protected override string Unit => "queries/s";

    protected override Func<IPeerSession, int> CreateOperation(WorkloadContext context, long documents, SplitMix64 random)
    {
        var results = new List<User>(Limit);
        return session =>
        {
            var age = 18 + random.NextInt(73);
            results.Clear();
            var count = session.QueryAge(age, Limit, results);
            var right = count == Limit && results[0].Age == age && results[^1].Age == age && results[0].Id < results[^1].Id;
            return right ? 0 : -1;
        };
    }
}
