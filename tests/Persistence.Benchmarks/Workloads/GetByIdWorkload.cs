using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Peers;

namespace Persistence.Benchmarks.Workloads;

/// <summary>W4: uniformly random point gets by primary key returning a materialized user, on 1 and on 2 threads.</summary>
internal sealed class GetByIdWorkload : ReadWorkload
{
    public override string Id => "W4";

    public override string Title => "random point get by primary key, materialized User, 1 and 2 threads";

    protected override IReadOnlyList<int> Threads => [1, 2];

    protected override string Unit => "ops/s";

    protected override Func<IPeerSession, int> CreateOperation(WorkloadContext context, long documents, SplitMix64 random, ReadVariant variant) =>
        session =>
        {
            var id = 1 + random.NextLong(documents);
            return session.Get(id)?.Id == id ? 0 : -1;
        };
}
