using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Measurement;
using Persistence.Benchmarks.Peers;
using Persistence.Benchmarks.Reporting;

namespace Persistence.Benchmarks.Workloads;

/// <summary>
/// W7, YCSB workload A: 50% gets and 50% updates of Name by Id, keys drawn from YCSB's scrambled zipfian distribution
/// (theta 0.99), one thread. Each update is its own commit without fsync: Durability.Buffered for us,
/// synchronous=NORMAL for SQLite. One thread keeps the comparison about the engines: hot zipfian keys on several
/// threads would measure our optimistic retries against SQLite's writer lock instead.
/// </summary>
internal sealed class YcsbWorkload : ReadWorkload
{
    private const int Get = 0;
    private const int Update = 1;
    private ScrambledZipfian? _keys;

    public override string Id => "W7";

    public override string Title => "YCSB-A: 50% get / 50% update of Name, zipfian 0.99, non-fsync commits";

    protected override string Unit => "ops/s";

    protected override int Categories => 2;

    protected override TimeSpan Duration(WorkloadContext context) => context.Settings.WriteDuration;

    protected override Func<IPeerSession, int> CreateOperation(WorkloadContext context, long documents, SplitMix64 random, ReadVariant variant)
    {
        var keys = _keys is { } existing && existing.Items == documents ? existing : (_keys = new ScrambledZipfian(documents));
        return session =>
        {
            var id = 1 + keys.Next(ref random);
            if ((random.Next() & 1) == 0)
            {
                return session.Get(id)?.Id == id ? Get : -1;
            }

            return session.UpdateName(id, UserFactory.NewName(ref random), CommitMode.Buffered) ? Update : -1;
        };
    }

    protected override string Describe(LoopResult result) =>
        LatencyMetrics.Counters(result) +
        $"; get p99 {Num.Format(result.Categories[Get].PercentileMicros(0.99))} us, " +
        $"update p99 {Num.Format(result.Categories[Update].PercentileMicros(0.99))} us, update max {Num.Format(result.Categories[Update].MaxMicros)} us";
}
