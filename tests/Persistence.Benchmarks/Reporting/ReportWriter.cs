using Persistence.Benchmarks.Peers;

namespace Persistence.Benchmarks.Reporting;

/// <summary>
/// Prints the results: the human-readable tables first (per variant and peer: throughput, latency percentiles, the
/// ratio to SQLite; then memory and disk per system), then the machine-readable lines of shared/BENCHMARKS.md:
/// <c>RESULT &lt;workload-id&gt; &lt;peer&gt; ours=&lt;n&gt; peer=&lt;n&gt; ratio=&lt;n&gt; unit=&lt;unit&gt;</c>, one per
/// metric of every variant that ours and that peer both ran, where ratio &gt; 1 always favours us (ours/peer for
/// throughput, peer/ours for latency, memory and disk). The primary metric's id is the variant's ("W4-1t"); the others
/// append the metric's name ("W4-1t.p99", "W1.disk", "W4.peak-ws"; "W9.peak-ws-per-doc", the growth per document
/// stored, for the write workloads that run for a fixed time). A variant measured against our own baseline
/// (<see cref="VariantResult.Reference"/>, the TTL workloads) gets the same lines with the baseline's name in the peer
/// field, and a table of the targets (<see cref="VariantResult.Goal"/>) follows the other tables.
/// </summary>
internal sealed class ReportWriter
{
    private const string Yardstick = "sqlite";

    private readonly IReadOnlyList<PhaseResult> _phases;
    private readonly TextWriter _out;

    public ReportWriter(IReadOnlyList<PhaseResult> phases, TextWriter output)
    {
        _phases = phases;
        _out = output;
    }

    public void WriteTables()
    {
        _out.WriteLine();
        _out.WriteLine($"{"variant",-10} {"peer",-12} {"throughput",12} {"unit",-10} {"p50 us",9} {"p99 us",9} {"p99.9 us",9} {"max us",10} {"vs sqlite",9}  notes");
        _out.WriteLine(new string('-', 120));
        foreach (var id in VariantIds())
        {
            foreach (var (peer, variant) in Rows(id))
            {
                var yardstick = Counterpart(Yardstick, variant);
                var vs = yardstick is null ? "" : Num.Fixed(variant.Primary.Value / yardstick.Primary.Value, 2);
                _out.WriteLine(
                    $"{id,-10} {peer,-12} {Num.Format(variant.Primary.Value),12} {variant.Primary.Unit,-10} " +
                    $"{Cell(variant, "p50"),9} {Cell(variant, "p99"),9} {Cell(variant, "p99.9"),9} {Cell(variant, "max"),10} {vs,9}  {variant.Note}");
            }
        }

        foreach (var failed in _phases.Where(p => p.Failure is not null))
        {
            _out.WriteLine($"{failed.WorkloadId,-10} {failed.Peer,-12} FAILED: {failed.Failure}");
        }

        WriteMemoryAndDisk();
        WriteDiagnostics();
        WriteScaleChange();
        WriteTargets();
    }

    public void WriteResultLines()
    {
        _out.WriteLine();
        foreach (var id in VariantIds())
        {
            var ours = Find(PeerCatalog.Ours, id);
            if (ours is null)
            {
                continue;
            }

            foreach (var peer in _phases.Select(p => p.Peer).Distinct().Where(p => p != PeerCatalog.Ours))
            {
                if (Counterpart(peer, ours) is not { } theirs)
                {
                    continue;
                }

                foreach (var metric in ours.Metrics)
                {
                    if (theirs.Find(metric.Name) is { } other)
                    {
                        Line(MetricId(id, metric), peer, metric.Value, other.Value, Metric.Ratio(metric, other), metric.Unit);
                    }
                }
            }

            if (ours.Reference is { } reference)
            {
                foreach (var metric in ours.Metrics)
                {
                    if (reference.Find(metric.Name) is { } other)
                    {
                        Line(MetricId(id, metric), reference.Name, metric.Value, other.Value, Metric.Ratio(metric, other), metric.Unit);
                    }
                }
            }
        }

        foreach (var ours in _phases.Where(p => p.Peer == PeerCatalog.Ours && p.Failure is null))
        {
            foreach (var theirs in _phases.Where(p => p.WorkloadId == ours.WorkloadId && p.Peer != PeerCatalog.Ours && p.Failure is null))
            {
                double mine = ours.GrowthBytes, other = theirs.GrowthBytes;
                Line($"{ours.WorkloadId}.peak-ws", theirs.Peer, mine / (1 << 20), other / (1 << 20), other / Math.Max(mine, 1), "MiB");
                if (ours.GrowthPerDocument is { } minePerDocument && theirs.GrowthPerDocument is { } otherPerDocument)
                {
                    Line($"{ours.WorkloadId}.peak-ws-per-doc", theirs.Peer, minePerDocument, otherPerDocument,
                        otherPerDocument / Math.Max(minePerDocument, 1), "B/doc");
                }
            }
        }
    }

    private static string MetricId(string id, Metric metric) => metric.Name == Metric.Throughput ? id : $"{id}.{metric.Name}";

    private void Line(string id, string peer, double ours, double theirs, double ratio, string unit) =>
        _out.WriteLine($"RESULT {id} {peer} ours={Num.Format(ours)} peer={Num.Format(theirs)} ratio={Num.Format(ratio)} unit={unit}");

    private void WriteMemoryAndDisk()
    {
        _out.WriteLine();
        _out.WriteLine("Peak working set per phase (MiB): growth = peak resident set during the phase minus the resident set at its start;");
        _out.WriteLine("B/doc = growth per document stored, for the write phases that run for a fixed time (a faster system stores more).");
        _out.WriteLine($"{"phase",-10} {"peer",-12} {"baseline",9} {"peak",9} {"growth",9} {"B/doc",7} {"seconds",8}");
        foreach (var phase in _phases)
        {
            var perDocument = phase.GrowthPerDocument is { } bytes ? Num.Fixed(bytes, 0) : "-";
            _out.WriteLine($"{phase.WorkloadId,-10} {phase.Peer,-12} {Num.MiB(phase.BaselineBytes),9} {Num.MiB(phase.PeakBytes),9} {Num.MiB(phase.GrowthBytes),9} {perDocument,7} {Num.Fixed(phase.Elapsed.TotalSeconds, 1),8}");
        }

        _out.WriteLine();
        _out.WriteLine("Per system: the largest phase growth and peak, and W1's bytes on disk per document after a checkpoint.");
        _out.WriteLine($"{"peer",-12} {"max growth MiB",15} {"max peak MiB",13} {"file B/doc",11} {"dir B/doc",10}");
        foreach (var group in _phases.GroupBy(p => p.Peer))
        {
            var w1 = Find(group.Key, "W1");
            _out.WriteLine(
                $"{group.Key,-12} {Num.MiB(group.Max(p => p.GrowthBytes)),15} {Num.MiB(group.Max(p => p.PeakBytes)),13} " +
                $"{(w1?.Find("disk") is { } file ? Num.Fixed(file.Value, 1) : "-"),11} {(w1?.Find("disk-total") is { } total ? Num.Fixed(total.Value, 1) : "-"),10}");
        }
    }

    private void WriteDiagnostics()
    {
        var phases = _phases.Where(p => p.Diagnostics.Length > 0).ToList();
        if (phases.Count > 0)
        {
            _out.WriteLine();
            _out.WriteLine("Engine counters at the end of each phase:");
            foreach (var phase in phases)
            {
                _out.WriteLine($"{phase.WorkloadId,-10} {phase.Peer,-12} {phase.Diagnostics}");
            }
        }
    }

    /// <summary>W10's change from the 1M-document runs, when both ran in this process.</summary>
    private void WriteScaleChange()
    {
        var pairs = new[] { ("W10-W1", "W1"), ("W10-W4-1t", "W4-1t"), ("W10-W4-2t", "W4-2t") };
        var lines = new List<string>();
        foreach (var peer in _phases.Select(p => p.Peer).Distinct())
        {
            foreach (var (scaled, baseline) in pairs)
            {
                if (Find(peer, scaled) is { } big && Find(peer, baseline) is { } small)
                {
                    lines.Add($"{peer,-12} {baseline,-6} {Num.Format(small.Primary.Value),12} -> {Num.Format(big.Primary.Value),12} {big.Primary.Unit} ({Num.Fixed(big.Primary.Value / small.Primary.Value, 2)}x)");
                }
            }
        }

        if (lines.Count > 0)
        {
            _out.WriteLine();
            _out.WriteLine("W10: change from N to the scale size");
            lines.ForEach(_out.WriteLine);
        }
    }

    /// <summary>Every variant held to a target: its figure, its baseline, the ratio and whether it meets the target.</summary>
    private void WriteTargets()
    {
        var rows = _phases.SelectMany(p => p.Variants.Where(v => v.Goal is not null).Select(v => (p.Peer, Variant: v))).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        _out.WriteLine();
        _out.WriteLine("Targets: each variant against its target; with a baseline, ratio = ours / baseline for throughput (> 1 favours the feature).");
        _out.WriteLine($"{"variant",-16} {"peer",-12} {"value",12} {"unit",-10} {"baseline",-21} {"its value",12} {"ratio",7}  {"target",-30} verdict");
        _out.WriteLine(new string('-', 140));
        foreach (var (peer, variant) in rows)
        {
            var goal = variant.Goal!;
            var reference = variant.Reference;
            var ratio = reference is null ? "" : Num.Fixed(Goal.Measure(variant), 3);
            var cost = reference is null ? 0 : ((reference.Primary.Value / variant.Primary.Value) - 1) * 100; // for throughput: the change in time per operation
            var change = reference is null ? "" : $" (time per operation {(cost >= 0 ? "+" : "")}{Num.Fixed(cost, 1)}%)";
            _out.WriteLine(
                $"{variant.Id,-16} {peer,-12} {Num.Format(variant.Primary.Value),12} {variant.Primary.Unit,-10} {reference?.Name ?? "-",-21} " +
                $"{(reference is null ? "" : Num.Format(reference.Primary.Value)),12} {ratio,7}  {goal.Text,-30} {(goal.IsMet(variant) ? "met" : "MISSED")}{change}");
        }
    }

    private static string Cell(VariantResult variant, string metric) =>
        variant.Find(metric) is { } found ? Num.Format(found.Value) : "";

    private List<string> VariantIds() =>
        _phases.SelectMany(p => p.Variants).Select(v => v.Id).Distinct().ToList();

    private IEnumerable<(string Peer, VariantResult Variant)> Rows(string id) =>
        _phases.SelectMany(p => p.Variants.Where(v => v.Id == id).Select(v => (p.Peer, v)));

    /// <summary>The peer's variant to compare <paramref name="variant"/> with: the one of the same id, else the one it names.</summary>
    private VariantResult? Counterpart(string peer, VariantResult variant) =>
        Find(peer, variant.Id) ?? (variant.ComparedWith is { } other ? Find(peer, other) : null);

    private VariantResult? Find(string peer, string id) =>
        _phases.Where(p => p.Peer == peer).SelectMany(p => p.Variants).FirstOrDefault(v => v.Id == id);
}
