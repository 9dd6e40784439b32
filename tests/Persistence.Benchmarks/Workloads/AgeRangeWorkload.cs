using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Peers;

namespace Persistence.Benchmarks.Workloads;

/// <summary>
/// W6: <c>Age == a</c> for a random age, ordered by Id, first 100, materialized. Counted as one query. A peer with a
/// query builder (ours) also runs it that way, as variant "W6-query", compared with the other peers' "W6".
/// </summary>
internal sealed class AgeRangeWorkload : ReadWorkload
{
    private const int Limit = 100;
    private const int QueryBuilder = 1;

    public override string Id => "W6";

    public override string Title => "Age == a ordered by Id, first 100 (index range); W6-query: through the query builder";

    protected override string Unit => "queries/s";

    protected override IReadOnlyList<ReadVariant> Variants(IPeer peer) =>
        peer.HasQueryBuilder ? [new ReadVariant(Id, 1), new ReadVariant($"{Id}-query", 1, QueryBuilder, Id)] : [new ReadVariant(Id, 1)];

    protected override Func<IPeerSession, int> CreateOperation(WorkloadContext context, long documents, SplitMix64 random, ReadVariant variant)
    {
        var results = new List<User>(Limit);
        var builder = variant.Api == QueryBuilder;
        return session =>
        {
            var age = 18 + random.NextInt(73);
            results.Clear();
            var count = builder ? session.QueryAgeWithBuilder(age, Limit, results) : session.QueryAge(age, Limit, results);
            var right = count == Limit && results[0].Age == age && results[^1].Age == age && results[0].Id < results[^1].Id;
            return right ? 0 : -1;
        };
    }
}
