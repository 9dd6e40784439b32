using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Measurement;
using Persistence.Benchmarks.Peers;
using Persistence.Benchmarks.Reporting;

namespace Persistence.Benchmarks.Workloads.Ttl;

/// <summary>
/// T2: the collector removing expired documents while W4 (random point gets on live documents, one thread) runs
/// beside it. Preloaded, untimed: 2N expiring users, N of them live (even Ids, expiring in ten years) and N that will
/// expire (odd Ids) in <see cref="Groups"/> groups an hour apart, each expiry at a random instant of its group's first half hour,
/// so the collector's order (oldest expiry first) is unrelated to Id order. Each round moves the clock
/// (<see cref="ShiftedClock"/>) past one more group, measures W4 alone for half the read duration, then runs the
/// collector to completion (<see cref="IExpiringStore.CollectExpired"/>: ours <see cref="Database.CollectExpiredAsync"/>
/// with <see cref="TtlOptions.RunCollectorInBackground"/> false; SQLite its batched DELETE) with W4 running beside it.
/// </summary>
/// <remarks>
/// Half the rounds run with <see cref="TtlOptions.MaxCollectorShare"/> at its default, 0.5 (<c>T2-collect</c>,
/// <c>T2-W4</c>: the configuration the targets are about), the other half unthrottled, share 1 (<c>-share1</c>: the
/// collector's raw speed); batches of 1,000 (the default) in both. Reported: documents removed per second of the
/// collector's wall time, pauses included (target ≥ 100k/s), and W4's throughput while it runs against W4 alone in
/// the same rounds (<c>persistence-alone</c>, <c>sqlite-alone</c>; target ≥ 0.8).
/// </remarks>
internal sealed class CollectorWorkload : IWorkload
{
    private const int Groups = 8;
    private const int BatchSize = 1000;

    /// <summary>Group g expires in the first half of hour g; the clock moves to g hours plus this, so that no document of the next group expires during a round.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(45);
    private static readonly double[] Shares = [0.5, 1.0];
    private static readonly Goal CollectorTarget = new(100_000, ">= 100k docs/s");
    private static readonly Goal ReaderTarget = new(0.8, ">= 0.8 of W4 alone");

    public string Id => "T2";

    public string Family => "T2";

    public string Title => "TTL: the collector removing expired documents while W4 reads live ones (ours vs SQLite's batched DELETE)";

    public SyncProfile Profile => SyncProfile.Normal;

    public bool ExplicitOnly => false;

    public bool FullModeOnly => true;

    public IReadOnlyList<VariantResult> Run(IPeer peer, WorkloadContext context)
    {
        var live = context.Settings.Documents;
        var clock = new ShiftedClock();
        var firstGroup = clock.GetUtcNow() + TimeSpan.FromDays(1);
        var expected = new long[Groups];
        for (var id = 1L; id <= 2 * live; id += 2)
        {
            expected[GroupOf(id)]++;
        }

        var variants = new List<VariantResult>();
        var roundsPerShare = Groups / Shares.Length;
        for (var s = 0; s < Shares.Length; s++)
        {
            var share = Shares[s];
            using var store = peer.OpenExpiringStore(new ExpiringStoreSettings(clock, BatchSize, share, RunCollectorInBackground: false));
            if (s == 0)
            {
                store.Load(new DocumentBatches<ExpiringUser>(id => ExpiringUser.From(context.Users.Create(id), ExpiryOf(id, firstGroup)), 1, 2 * live));
                store.Checkpoint();
            }

            var random = new SplitMix64(context.Settings.Seed ^ 0x7202 ^ (ulong)s);
            using var worker = new FuncWorker(Get(store.OpenSession(), live, random));
            context.Settings.ReadWarmup(jitCold: false).Run(worker);
            var alone = new List<LoopResult>();
            var during = new List<LoopResult>();
            var collecting = TimeSpan.Zero;
            var gcAlone = default(GcActivity);
            var gcDuring = default(GcActivity);
            long removed = 0;
            var wrongCounts = new List<string>();
            for (var round = 0; round < roundsPerShare; round++)
            {
                var group = (s * roundsPerShare) + round;
                var idle = Race.Run(worker, () => Sleep(context.Settings.ReadDuration / 2));
                alone.Add(idle.Loop);
                gcAlone += idle.Gc;
                clock.MoveTo(firstGroup + TimeSpan.FromHours(group) + Margin);
                var collection = Race.Run(worker, store.CollectExpired);
                during.Add(collection.Loop);
                gcDuring += collection.Gc;
                collecting += collection.ForegroundElapsed;
                removed += collection.Foreground;
                if (collection.Foreground != expected[group])
                {
                    wrongCounts.Add($"group {group}: removed {collection.Foreground}, expected {expected[group]}");
                }
            }

            variants.AddRange(Variants(peer.Name, share, removed, collecting, TtlRounds.Merge(alone), TtlRounds.Merge(during), $"{store.Diagnostics()}; {gcDuring} while collecting, {gcAlone} alone", wrongCounts));
        }

        return variants;
    }

    private static IEnumerable<VariantResult> Variants(string peer, double share, long removed, TimeSpan collecting, LoopResult alone, LoopResult during, string counters, List<string> wrongCounts)
    {
        var suffix = share == 1.0 ? "-share1" : "";
        var wrong = wrongCounts.Count > 0 ? $"; WRONG ANSWERS: {string.Join(", ", wrongCounts)}" : "";
        yield return new VariantResult($"T2-collect{suffix}", [Metric.Rate(removed / collecting.TotalSeconds, "docs/s")],
            $"{removed} removed in {Num.Fixed(collecting.TotalSeconds, 2)} s over {Groups / Shares.Length} rounds; MaxCollectorShare {Num.Format(share)}, " +
            $"batches of {BatchSize}; {counters}{wrong}")
        {
            Goal = CollectorTarget,
        };
        yield return new VariantResult($"T2-W4{suffix}", TtlRounds.Metrics(during, "ops/s"),
            $"while collecting: {LatencyMetrics.Counters(during)}; alone: {Num.Format(alone.PerSecond)} ops/s, {LatencyMetrics.Counters(alone)}")
        {
            Reference = new Reference($"{peer}-alone", TtlRounds.Metrics(alone, "ops/s")),
            Goal = ReaderTarget,
        };
    }

    /// <summary>W4 on live documents: a random even Id, which must be found.</summary>
    private static Func<bool> Get(IExpiringSession session, long live, SplitMix64 random) => () =>
    {
        var id = 2 * (1 + random.NextLong(live));
        return session.Get(id)?.Id == id;
    };

    /// <summary>Even Ids live for ten years; odd ones expire in the first half of their group's hour, at an instant drawn from the Id.</summary>
    private static DateTimeOffset ExpiryOf(long id, DateTimeOffset firstGroup)
    {
        if (id % 2 == 0)
        {
            return firstGroup + TimeSpan.FromDays(3650);
        }

        var within = (long)(SplitMix64.Mix((ulong)id ^ 0x5EED) % (ulong)(TimeSpan.TicksPerHour / 2));
        return firstGroup + TimeSpan.FromHours(GroupOf(id)) + TimeSpan.FromTicks(within);
    }

    private static int GroupOf(long id) => (int)(SplitMix64.Mix((ulong)id) % Groups);

    private static int Sleep(TimeSpan duration)
    {
        Thread.Sleep(duration);
        return 0;
    }
}
