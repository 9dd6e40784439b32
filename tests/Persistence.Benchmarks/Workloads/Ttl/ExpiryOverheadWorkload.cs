using System.Diagnostics;
using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Measurement;
using Persistence.Benchmarks.Peers;
using Persistence.Benchmarks.Peers.PersistenceTyped;
using Persistence.Benchmarks.Reporting;

namespace Persistence.Benchmarks.Workloads.Ttl;

/// <summary>
/// T1: what an <see cref="ExpiresAtAttribute"/> member costs writes. W1 (bulk load of N documents in one transaction)
/// and W2 (durable single-document inserts, one writer, for half the write duration) on the generated
/// <see cref="ExpiringUserCollection"/>, every document's expiry set (so each also gets an entry in the expiry index),
/// against the same on the benchmark <see cref="UserCollection"/> (no member, no expiry index). Ours on both sides,
/// each measurement in a fresh store of its own, in three rounds that alternate which side goes first, so that drift
/// of a shared machine falls on both. The expiring database runs the engine's collector loop, as an application's
/// would (it finds nothing to collect).
/// </summary>
/// <remarks>
/// Expiries are what sessions written now with one lifetime get: W1 the load's start + 1 day + Id milliseconds, W2 the
/// clock + 1 day at each insert; either way the expiry index grows at its end. Reported: <c>T1-W1</c> (docs/s, the
/// median of the rounds; data-file bytes per document) and <c>T1-W2</c> (commits/s and latencies over all rounds),
/// each against <c>persistence-noexpiry</c>. Target: at most 10% more time per document, that is ratio ≥ 0.9.
/// </remarks>
internal sealed class ExpiryOverheadWorkload : IWorkload
{
    private const int Rounds = 3;
    private const string Baseline = "persistence-noexpiry";
    private static readonly Goal Target = new(0.9, ">= 0.9 (<= 10% more cost)");
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);

    public string Id => "T1";

    public string Family => "T1";

    public string Title => "TTL: W1 and W2 with an [ExpiresAt] member set, against the same without it (ours only)";

    public SyncProfile Profile => SyncProfile.Normal;

    public bool ExplicitOnly => false;

    public bool FullModeOnly => true;

    public bool OwnStores => true;

    public IReadOnlyList<VariantResult> Run(IPeer peer, WorkloadContext context)
    {
        var loads = new Dictionary<bool, List<Load>> { [false] = [], [true] = [] };
        var inserts = new Dictionary<bool, List<LoopResult>> { [false] = [], [true] = [] };
        for (var round = 0; round < Rounds; round++)
        {
            bool[] order = round % 2 == 0 ? [false, true] : [true, false];
            foreach (var expiring in order)
            {
                loads[expiring].Add(BulkLoad(context, expiring));
            }

            foreach (var expiring in order)
            {
                inserts[expiring].Add(Inserts(context, expiring));
            }
        }

        return [LoadVariant(loads), InsertVariant(inserts)];
    }

    private static VariantResult LoadVariant(Dictionary<bool, List<Load>> loads)
    {
        List<Metric> Of(List<Load> side) =>
        [
            Metric.Rate(TtlRounds.Median(side.Select(l => l.Rate)), "docs/s"),
            new Metric("disk", TtlRounds.Median(side.Select(l => l.BytesPerDocument)), "bytes/doc", Better.Lower),
        ];

        var with = loads[true];
        var without = loads[false];
        var wrong = with.Concat(without).Sum(l => l.Wrong);
        return new VariantResult("T1-W1", Of(with),
            $"rounds with {TtlRounds.Rates(with.Select(l => l.Rate))}, without {TtlRounds.Rates(without.Select(l => l.Rate))} docs/s; " +
            $"data file {Num.Fixed(with[0].BytesPerDocument, 1)} vs {Num.Fixed(without[0].BytesPerDocument, 1)} B/doc; " +
            $"with expiry, last round: {with[^1].Counters}" + (wrong > 0 ? $"; {wrong} WRONG ANSWERS" : ""))
        {
            Reference = new Reference(Baseline, Of(without)),
            Goal = Target,
        };
    }

    private static VariantResult InsertVariant(Dictionary<bool, List<LoopResult>> inserts)
    {
        var with = TtlRounds.Merge(inserts[true]);
        var without = TtlRounds.Merge(inserts[false]);
        return new VariantResult("T1-W2", TtlRounds.Metrics(with, "commits/s"),
            $"rounds with {TtlRounds.Rates(inserts[true].Select(r => r.PerSecond))}, without {TtlRounds.Rates(inserts[false].Select(r => r.PerSecond))} commits/s; " +
            $"with: {LatencyMetrics.Counters(with)}; without: {LatencyMetrics.Counters(without)}")
        {
            Reference = new Reference(Baseline, TtlRounds.Metrics(without, "commits/s")),
            Goal = Target,
        };
    }

    /// <summary>W1 into a fresh store: the timed load (generation excluded), a checkpoint, the data file's size, a read-back check.</summary>
    private static Load BulkLoad(WorkloadContext context, bool expiring)
    {
        var directory = TtlRounds.Fresh(context, expiring ? "w1-expiring" : "w1-plain");
        try
        {
            var documents = context.Settings.Documents;
            var timer = new Stopwatch();
            if (!expiring)
            {
                using var plain = new PersistenceTypedPeer(directory);
                var load = BulkLoadWorkload.Measure(plain, context, "T1-W1", documents);
                var wrongAnswers = load.Note.Contains("WRONG", StringComparison.Ordinal) ? 1 : 0;
                return new Load(load.Primary.Value, load.Find("disk")!.Value, plain.Diagnostics(), wrongAnswers);
            }

            using var store = new PersistenceExpiringStore(directory, ExpiringStoreSettings.Defaults);
            var expiryBase = TimeProvider.System.GetUtcNow() + Lifetime;
            var users = new DocumentBatches<ExpiringUser>(id => ExpiringUser.From(context.Users.Create(id), expiryBase.AddMilliseconds(id)), 1, documents, timer);
            timer.Start();
            store.Load(users);
            timer.Stop();
            store.Checkpoint();
            var disk = store.MeasureDisk();
            using var session = store.OpenSession();
            var wrong = new[] { 1, (documents / 2) + 1, documents }.Count(id => session.Get(id)?.Email != context.Users.EmailOf(id));
            return new Load(documents / timer.Elapsed.TotalSeconds, (double)disk.DataFileBytes / documents, store.Diagnostics(), wrong);
        }
        finally
        {
            TtlRounds.Remove(directory);
        }
    }

    /// <summary>W2 into a fresh store: one writer, one durable commit per insert, for half the write duration.</summary>
    private static LoopResult Inserts(WorkloadContext context, bool expiring)
    {
        var directory = TtlRounds.Fresh(context, expiring ? "w2-expiring" : "w2-plain");
        try
        {
            var duration = context.Settings.WriteDuration / 2;
            long nextId = 0;
            if (!expiring)
            {
                using var plain = new PersistenceTypedPeer(directory);
                return TimedLoop.Run(1, 1, context.Settings.WriteWarmup, duration, _ => new SessionWorker(plain.OpenSession(), session =>
                {
                    session.Insert(context.Users.Create(++nextId), CommitMode.Durable);
                    return 0;
                }));
            }

            using var store = new PersistenceExpiringStore(directory, ExpiringStoreSettings.Defaults);
            return TimedLoop.Run(1, 1, context.Settings.WriteWarmup, duration, _ =>
            {
                var session = store.OpenSession();
                return new FuncWorker(() =>
                {
                    session.Insert(ExpiringUser.From(context.Users.Create(++nextId), TimeProvider.System.GetUtcNow() + Lifetime), CommitMode.Durable);
                    return true;
                }, session);
            });
        }
        finally
        {
            TtlRounds.Remove(directory);
        }
    }

    /// <summary>One W1 measurement: docs/s, data-file bytes per document, the engine's counters, wrong read-backs.</summary>
    private readonly record struct Load(double Rate, double BytesPerDocument, string Counters, int Wrong);
}
