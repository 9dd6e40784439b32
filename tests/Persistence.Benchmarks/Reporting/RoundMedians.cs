namespace Persistence.Benchmarks.Reporting;

/// <summary>
/// Folds the phases of a run with several rounds (<c>--rounds N</c>) into one phase per workload and peer, so that the
/// report and the RESULT lines stay what they are for one round: every metric becomes its median over the rounds
/// (each metric on its own, so a latency's median may come from another round than the throughput's), the memory
/// figures are those of the round whose growth is the median, and the note lists the primary metric of every round.
/// </summary>
/// <remarks>
/// Rounds run back to back for each workload, the peers alternating inside each round, so a slow drift of the
/// machine falls on every peer alike; the median drops a round that a burst of other load spoiled. A phase that failed
/// in any round is reported as failed.
/// </remarks>
internal static class RoundMedians
{
    public static IReadOnlyList<PhaseResult> Combine(IReadOnlyList<PhaseResult> phases)
    {
        var combined = new List<PhaseResult>();
        foreach (var group in phases.GroupBy(p => (p.WorkloadId, p.Peer)))
        {
            var rounds = group.ToList();
            combined.Add(rounds.Count == 1 ? rounds[0] : rounds.FirstOrDefault(p => p.Failure is not null) ?? Combine(rounds));
        }

        return combined;
    }

    private static PhaseResult Combine(List<PhaseResult> rounds)
    {
        var memory = rounds.OrderBy(p => p.GrowthBytes).ElementAt(rounds.Count / 2);
        var variants = new List<VariantResult>();
        foreach (var first in rounds[0].Variants)
        {
            var same = rounds.Select(p => p.Variants.First(v => v.Id == first.Id)).ToList();
            var perRound = string.Join(", ", same.Select(v => Num.Format(v.Primary.Value)));
            variants.Add(new VariantResult(first.Id, Medians(first.Metrics, same.Select(v => v.Metrics)),
                $"median of {rounds.Count} rounds ({perRound} {first.Primary.Unit}); first round: {first.Note}")
            {
                ComparedWith = first.ComparedWith,
                Goal = first.Goal,
                Reference = first.Reference is { } reference
                    ? reference with { Metrics = Medians(reference.Metrics, same.Select(v => v.Reference!.Metrics)) }
                    : null,
                DocumentsStored = memory.Variants.First(v => v.Id == first.Id).DocumentsStored,
            });
        }

        var last = rounds[^1];
        return new PhaseResult(last.WorkloadId, last.Peer, variants, memory.BaselineBytes, memory.PeakBytes,
            TimeSpan.FromTicks(rounds.Sum(p => p.Elapsed.Ticks)), last.Diagnostics, null);
    }

    /// <summary>Each metric of <paramref name="template"/> with its value the median of the same metric in every round.</summary>
    private static IReadOnlyList<Metric> Medians(IReadOnlyList<Metric> template, IEnumerable<IReadOnlyList<Metric>> rounds)
    {
        var all = rounds.ToList();
        return template.Select(metric => metric with { Value = Median(all.Select(r => r.First(m => m.Name == metric.Name).Value)) }).ToList();
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
