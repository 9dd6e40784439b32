using Persistence.Benchmarks.Measurement;
using Persistence.Benchmarks.Peers;
using Persistence.Benchmarks.Reporting;

namespace Persistence.Benchmarks.Workloads;

/// <summary>
/// W2, W3 and W9: writers each on their own thread (and, for SQLite, their own connection) insert new users, one per
/// commit, into an empty store for a fixed time. Ids come from one shared counter, so writers never insert the same
/// key and our optimistic transactions never conflict. With <c>durableEvery</c> = 1 every commit is durable (W2, W3:
/// Durability.Durable, synchronous=FULL); with 100, commit k of writer w is durable when (k + 25w) % 100 == 0, so 1%
/// of commits are durable, evenly spread over time and writers, and the rest buffered (W9: Durability.Buffered,
/// synchronous=NORMAL). For W9 the latency percentiles are those of the durable commits alone.
/// </summary>
internal sealed class InsertWorkload : IWorkload
{
    private const int BufferedCategory = 0;
    private const int DurableCategory = 1;

    private readonly int _writers;
    private readonly int _durableEvery;

    public InsertWorkload(string id, string family, string title, int writers, int durableEvery)
    {
        Id = id;
        Family = family;
        Title = title;
        _writers = writers;
        _durableEvery = durableEvery;
    }

    public string Id { get; }

    public string Family { get; }

    public string Title { get; }

    public SyncProfile Profile => _durableEvery == 1 ? SyncProfile.Full : SyncProfile.Normal;

    public bool ExplicitOnly => false;

    public IReadOnlyList<VariantResult> Run(IPeer peer, WorkloadContext context)
    {
        long nextId = 0;
        var users = context.Users;
        var result = TimedLoop.Run(_writers, 2, context.Settings.WriteWarmup, context.Settings.WriteDuration, writer =>
        {
            var session = peer.OpenSession();
            var commits = (long)writer * 25;
            return new SessionWorker(session, s =>
            {
                var durable = commits++ % _durableEvery == 0;
                s.Insert(users.Create(Interlocked.Increment(ref nextId)), durable ? CommitMode.Durable : CommitMode.Buffered);
                return durable ? DurableCategory : BufferedCategory;
            });
        });

        var durable = result.Categories[DurableCategory];
        var metrics = new List<Metric> { Metric.Rate(result.PerSecond, "commits/s") };
        metrics.AddRange(LatencyMetrics.Of(durable));
        var note = LatencyMetrics.Counters(result);
        if (_durableEvery > 1)
        {
            var buffered = result.Categories[BufferedCategory];
            metrics.Add(Metric.Micros("buffered-p99", buffered.PercentileMicros(0.99)));
            note += $"; latencies are of the {durable.Count} durable commits; buffered p50 {Num.Format(buffered.PercentileMicros(0.5))} us, " +
                $"p99 {Num.Format(buffered.PercentileMicros(0.99))} us, max {Num.Format(buffered.MaxMicros)} us";
        }

        var stored = Interlocked.Read(ref nextId);
        note += $"; {stored} documents stored";
        return [new VariantResult(Id, metrics, note) { DocumentsStored = stored }];
    }
}
