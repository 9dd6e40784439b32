using System.Diagnostics;
using Persistence.Benchmarks.Cli;
using Persistence.Benchmarks.Data;
using Persistence.Benchmarks.Measurement;
using Persistence.Benchmarks.Peers;
using Persistence.Benchmarks.Reporting;
using Persistence.Benchmarks.Workloads;

namespace Persistence.Benchmarks.Runner;

/// <summary>
/// Runs the comparison: for each workload, each peer in turn (alternating systems workload by workload, so slow drift
/// of a shared, noisy machine spreads over all of them), each phase in its own fresh directory under one temporary
/// root on the same disk, deleted as soon as the phase ends. A phase that throws is reported as failed and the run
/// goes on. With several rounds, each workload runs that many times in a row, every peer once per round, and the
/// report gets the medians (<see cref="RoundMedians"/>).
/// </summary>
internal sealed class BenchmarkRunner
{
    private readonly BenchmarkSettings _settings;
    private readonly IReadOnlyList<IWorkload> _workloads;
    private readonly IReadOnlyList<PeerDescriptor> _peers;
    private readonly string _root;
    private readonly int _rounds;
    private readonly TextWriter _progress;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public BenchmarkRunner(BenchmarkSettings settings, IReadOnlyList<IWorkload> workloads, IReadOnlyList<PeerDescriptor> peers, string root, int rounds, TextWriter progress)
    {
        _rounds = rounds;
        _settings = settings;
        _workloads = workloads;
        _peers = peers;
        _root = root;
        _progress = progress;
    }

    /// <summary>How peak memory was measured, for the report (known after the first phase).</summary>
    public string MemoryMethod { get; private set; } = "";

    /// <summary>Peers that could not run on this machine, with the reason, for the report.</summary>
    public List<string> Skipped { get; } = [];

    public IReadOnlyList<PhaseResult> Run()
    {
        var context = new WorkloadContext(_settings, new UserFactory(_settings.Seed));
        var results = new List<PhaseResult>();
        var available = new List<PeerDescriptor>();
        foreach (var peer in _peers)
        {
            if (peer.Unavailable() is { } reason)
            {
                Skipped.Add($"{peer.Name}: skipped, {reason}");
                _progress.WriteLine($"peer {peer.Name} skipped: {reason}");
            }
            else
            {
                available.Add(peer);
            }
        }

        foreach (var workload in _workloads)
        {
            for (var round = 1; round <= _rounds; round++)
            {
                foreach (var peer in available.Where(p => p.Supports(workload.Family)))
                {
                    results.Add(RunPhase(workload, peer, context, round));
                }
            }
        }

        return _rounds == 1 ? results : RoundMedians.Combine(results);
    }

    private PhaseResult RunPhase(IWorkload workload, PeerDescriptor descriptor, WorkloadContext context, int round)
    {
        var directory = Path.Combine(_root, $"{workload.Id}-{descriptor.Name}");
        Directory.CreateDirectory(directory);
        var of = _rounds == 1 ? "" : $" (round {round} of {_rounds})";
        _progress.WriteLine($"[{Num.Fixed(_clock.Elapsed.TotalSeconds, 1),7} s] {workload.Id} {descriptor.Name}{of} ...");
        WarmUp(workload, descriptor, context, directory);
        IReadOnlyList<VariantResult> variants = [];
        string? failure = null;
        var diagnostics = "";
        using var memory = MemoryProbe.Start();
        MemoryMethod = memory.Method;
        var elapsed = Stopwatch.StartNew();
        try
        {
            using var peer = descriptor.Open(directory, workload.Profile);
            variants = workload.Run(peer, context with { Directory = directory });
            diagnostics = workload.OwnStores ? "" : peer.Diagnostics();
        }
        catch (Exception ex)
        {
            failure = $"{ex.GetType().Name}: {ex.GetBaseException().Message}";
            _progress.WriteLine($"  FAILED: {ex}");
        }

        elapsed.Stop();
        var peak = memory.PeakBytes();
        TryDelete(directory);
        foreach (var variant in variants)
        {
            _progress.WriteLine($"  {variant.Id} {descriptor.Name}: {Num.Format(variant.Primary.Value)} {variant.Primary.Unit}; {variant.Note}");
        }

        if (diagnostics.Length > 0)
        {
            _progress.WriteLine($"  {descriptor.Name}: {diagnostics}");
        }

        return new PhaseResult(workload.Id, descriptor.Name, variants, memory.BaselineBytes, peak, elapsed.Elapsed, diagnostics, failure);
    }

    /// <summary>
    /// Loads the workload's warm-up documents into a throw-away store of the peer, before the phase's memory is measured
    /// (<see cref="IWorkload.WarmupDocuments"/>).
    /// </summary>
    private void WarmUp(IWorkload workload, PeerDescriptor descriptor, WorkloadContext context, string directory)
    {
        var documents = workload.WarmupDocuments(context);
        if (documents <= 0)
        {
            return;
        }

        var scratch = directory + "-warmup";
        Directory.CreateDirectory(scratch);
        var elapsed = Stopwatch.StartNew();
        try
        {
            using var peer = descriptor.Open(scratch, workload.Profile);
            peer.Load(new UserBatches(context.Users, 1, documents));
        }
        finally
        {
            TryDelete(scratch);
        }

        _progress.WriteLine($"  warm-up: {documents} documents loaded into a throw-away store in {Num.Fixed(elapsed.Elapsed.TotalSeconds, 2)} s");
    }

    private void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException ex)
        {
            _progress.WriteLine($"  could not delete {directory}: {ex.Message}");
        }
    }
}
