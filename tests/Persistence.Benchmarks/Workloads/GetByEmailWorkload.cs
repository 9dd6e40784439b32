using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Peers;

namespace Persistence.Benchmarks.Workloads;

/// <summary>
/// W5: random lookups through the unique Email index, returning the materialized user. The emails to look up are
/// generated before the timed phase (64Ki random users per thread, cycled), so no peer pays for formatting them.
/// </summary>
internal sealed class GetByEmailWorkload : ReadWorkload
{
    private const int Targets = 1 << 16;

    public override string Id => "W5";

    public override string Title => "random lookup by the unique Email index";

    protected override string Unit => "ops/s";

    protected override Func<IPeerSession, int> CreateOperation(WorkloadContext context, long documents, SplitMix64 random, ReadVariant variant)
    {
        var ids = new long[Targets];
        var emails = new string[Targets];
        for (var i = 0; i < Targets; i++)
        {
            ids[i] = 1 + random.NextLong(documents);
            emails[i] = context.Users.EmailOf(ids[i]);
        }

        var next = 0;
        return session =>
        {
            var i = next++ & (Targets - 1);
            return session.GetByEmail(emails[i])?.Id == ids[i] ? 0 : -1;
        };
    }
}
