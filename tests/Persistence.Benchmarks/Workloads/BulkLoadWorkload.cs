using System.Diagnostics;
using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Measurement;
using Persistence.Benchmarks.Peers;
using Persistence.Benchmarks.Reporting;

namespace Persistence.Benchmarks.Workloads;

/// <summary>
/// W1: bulk load N users in one transaction into an empty store whose indexes already exist. Measures documents per
/// second over the load and its commit (the generation of the documents is excluded: <see cref="UserBatches"/> pauses
/// the clock), then checkpoints and measures the bytes on disk per document: of the data file (what BENCHMARKS.md
/// quotes as the file size after a checkpoint) and of the whole directory (logs and side files too). A throw-away load
/// of the same peer runs first (<see cref="WarmupDocuments"/>).
/// </summary>
internal sealed class BulkLoadWorkload : IWorkload
{
    public string Id => "W1";

    public string Family => "W1";

    public string Title => "bulk load N documents in one transaction, both indexes maintained";

    public SyncProfile Profile => SyncProfile.Normal;

    public bool ExplicitOnly => false;

    /// <summary>A fifth of the load, at most 200,000 documents: enough for the JIT's tiers to reach the load's loop in every peer.</summary>
    public long WarmupDocuments(WorkloadContext context) => Math.Min(context.Settings.Documents / 5, 200_000);

    public IReadOnlyList<VariantResult> Run(IPeer peer, WorkloadContext context) =>
        [Measure(peer, context, Id, context.Settings.Documents)];

    /// <summary>The load measurement, shared with W10.</summary>
    public static VariantResult Measure(IPeer peer, WorkloadContext context, string id, long documents)
    {
        var load = new Stopwatch();
        var users = new UserBatches(context.Users, 1, documents, load);
        var gc = GcActivity.Now();
        load.Start();
        peer.Load(users);
        load.Stop();
        gc = GcActivity.Now() - gc;
        var checkpoint = Stopwatch.StartNew();
        peer.Checkpoint();
        checkpoint.Stop();
        var disk = peer.MeasureDisk();
        var wrong = CountWrong(peer, context.Users, documents);
        var space = id == "W1" ? peer.DescribeSpace() : null; // W10's trees would not fit the cache: the walk would read them all
        return new VariantResult(
            id,
            [
                Metric.Rate(documents / load.Elapsed.TotalSeconds, "docs/s"),
                new Metric("disk", (double)disk.DataFileBytes / documents, "bytes/doc", Better.Lower),
                new Metric("disk-total", (double)disk.TotalBytes / documents, "bytes/doc", Better.Lower),
            ],
            $"load {Num.Fixed(load.Elapsed.TotalSeconds, 2)} s ({gc}), checkpoint {Num.Fixed(checkpoint.Elapsed.TotalSeconds, 2)} s; " +
            $"data file {Num.MiB(disk.DataFileBytes)} MiB = {Num.Fixed((double)disk.DataFileBytes / documents, 1)} B/doc, " +
            $"directory {Num.MiB(disk.TotalBytes)} MiB = {Num.Fixed((double)disk.TotalBytes / documents, 1)} B/doc" +
            (space is null ? "" : $"; {space}") +
            (wrong > 0 ? $", {wrong} WRONG ANSWERS" : ""));
    }

    /// <summary>Reads back the first, a middle and the last user: a load that lost documents must not report a rate.</summary>
    private static int CountWrong(IPeer peer, UserFactory users, long documents)
    {
        using var session = peer.OpenSession();
        var wrong = 0;
        foreach (var id in new[] { 1, (documents / 2) + 1, documents })
        {
            var expected = users.Create(id);
            var actual = session.GetMaterialized(id);
            if (actual is null || actual.Email != expected.Email || actual.Name != expected.Name || actual.Age != expected.Age
                || actual.CreatedAt != expected.CreatedAt || !actual.Tags.SequenceEqual(expected.Tags))
            {
                wrong++;
            }
        }

        return wrong;
    }
}
