namespace Persistence.Benchmarks.Reporting;

/// <summary>
/// Our own baseline a variant is compared with inside one phase, named like a peer in the RESULT lines: the same
/// workload without the feature under test (T1: <c>persistence-noexpiry</c>; T2: <c>persistence-alone</c>, W4 with no
/// collector running; T3: <c>persistence-nocache</c>). Its metrics pair with the variant's by name.
/// </summary>
internal sealed record Reference(string Name, IReadOnlyList<Metric> Metrics)
{
    public Metric Primary => Metrics[0];

    public Metric? Find(string name) => Metrics.FirstOrDefault(m => m.Name == name);
}
