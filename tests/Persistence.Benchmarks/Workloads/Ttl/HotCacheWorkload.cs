using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Measurement;
using Persistence.Benchmarks.Peers;
using Persistence.Benchmarks.Peers.PersistenceTyped;
using Persistence.Benchmarks.Reporting;

namespace Persistence.Benchmarks.Workloads.Ttl;

/// <summary>
/// T3: the hot cache on W4 over a hot set. N users preloaded once (untimed, checkpointed). W4's operation
/// (<c>users.Get(id)</c>, a materialized User) on 1 and 2 threads, on the same file opened with
/// <see cref="CollectionOptions.HotCacheMaxCount"/> of <c>users</c> set to N / 10 and opened without a hot cache, in two
/// rounds that alternate which goes first, each measurement half the read duration. Two access patterns:
/// <c>T3-1t</c>/<c>T3-2t</c>, every tenth Id hot (N / 10 keys, as many as the cache holds) and 90% of the gets on a hot
/// Id, the rest on any Id; <c>T3-fit-1t</c>/<c>T3-fit-2t</c>, every get on a hot set of N / 100 keys (every hundredth
/// Id), which fits the cache ten times over. Ours only, against <c>persistence-nocache</c>; target: about 2x.
/// </summary>
internal sealed class HotCacheWorkload : IWorkload
{
    private const int Rounds = 2;
    private static readonly int[] Threads = [1, 2];
    private static readonly Goal Target = new(2.0, "about 2x (>= 2)");

    public string Id => "T3";

    public string Family => "T3";

    public string Title => "TTL: the hot cache on W4 over a hot set, with and without (ours only)";

    public SyncProfile Profile => SyncProfile.Normal;

    public bool ExplicitOnly => false;

    public bool FullModeOnly => true;

    public bool OwnStores => true;

    public IReadOnlyList<VariantResult> Run(IPeer peer, WorkloadContext context)
    {
        var documents = context.Settings.Documents;
        var cacheSize = (int)(documents / 10);
        Pattern[] patterns =
        [
            new("T3", "10% of the keys (every tenth Id) get 90% of the gets", (ref SplitMix64 r) =>
                r.NextDouble() < 0.9 ? 1 + (10 * r.NextLong(documents / 10)) : 1 + r.NextLong(documents)),
            new("T3-fit", "every get on 1% of the keys (every hundredth Id)", (ref SplitMix64 r) => 1 + (100 * r.NextLong(documents / 100))),
        ];
        var directory = TtlRounds.Fresh(context, "t3");
        using (var preload = new PersistenceTypedPeer(directory))
        {
            context.Preload(preload);
        }

        var results = new Dictionary<(string Pattern, bool Cached, int Threads), List<LoopResult>>();
        var counters = new Dictionary<(string Pattern, bool Cached), string>();
        for (var round = 0; round < Rounds; round++)
        {
            bool[] order = round % 2 == 0 ? [false, true] : [true, false];
            foreach (var pattern in patterns)
            {
                foreach (var cached in order)
                {
                    using var store = new PersistenceTypedPeer(directory, cached ? options => options.Collections["users"] = new CollectionOptions { HotCacheMaxCount = cacheSize } : null);
                    foreach (var threads in Threads)
                    {
                        var result = TimedLoop.Run(threads, 1, context.Settings.ReadWarmup(jitCold: false), context.Settings.ReadDuration / 2, thread =>
                        {
                            var random = new SplitMix64(context.Settings.Seed ^ (ulong)((7 * round) + (3 * threads) + thread) ^ 0x7303);
                            return new SessionWorker(store.OpenSession(), session =>
                            {
                                var id = pattern.Next(ref random);
                                return session.Get(id)?.Id == id ? 0 : -1;
                            });
                        });
                        var key = (pattern.Id, cached, threads);
                        (results.TryGetValue(key, out var list) ? list : results[key] = []).Add(result);
                    }

                    var statistics = store.Statistics();
                    var lookups = statistics.HotCacheHits + statistics.HotCacheMisses;
                    counters[(pattern.Id, cached)] = cached
                        ? $"hot cache of {cacheSize} documents: {statistics.HotCacheHits} hits, {statistics.HotCacheMisses} misses (hit ratio {Num.Fixed((double)statistics.HotCacheHits / Math.Max(1, lookups), 3)}, warm-ups included)"
                        : $"page cache {statistics.CachedPages}/{statistics.CacheCapacityPages} pages";
                }
            }
        }

        TtlRounds.Remove(directory);
        return [.. patterns.SelectMany(pattern => Threads.Select(threads => Variant(pattern, threads, results, counters)))];
    }

    private static VariantResult Variant(Pattern pattern, int threads, Dictionary<(string, bool, int), List<LoopResult>> results, Dictionary<(string, bool), string> counters)
    {
        var withRounds = results[(pattern.Id, true, threads)];
        var withoutRounds = results[(pattern.Id, false, threads)];
        var with = TtlRounds.Merge(withRounds);
        var without = TtlRounds.Merge(withoutRounds);
        return new VariantResult($"{pattern.Id}-{threads}t", TtlRounds.Metrics(with, "ops/s"),
            $"{pattern.Description}; rounds with {TtlRounds.Rates(withRounds.Select(r => r.PerSecond))}, without {TtlRounds.Rates(withoutRounds.Select(r => r.PerSecond))} ops/s; " +
            $"with: {LatencyMetrics.Counters(with)}; without: {LatencyMetrics.Counters(without)}; last round: {counters[(pattern.Id, true)]}; {counters[(pattern.Id, false)]}")
        {
            Reference = new Reference("persistence-nocache", TtlRounds.Metrics(without, "ops/s")),
            Goal = Target,
        };
    }

    private delegate long NextId(ref SplitMix64 random);

    /// <summary>An access pattern: the variant's id prefix, what it does, and how it draws the next Id.</summary>
    private sealed record Pattern(string Id, string Description, NextId Next);
}
