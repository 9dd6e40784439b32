using System.Globalization;
using Persistence.Benchmarks.Peers;
using Persistence.Benchmarks.Workloads;

namespace Persistence.Benchmarks.Cli;

/// <summary>The command line: <c>[--quick] [--workload W1,W4] [--peer sqlite,efcore,lmdb,disk-floor,persistence-kv] [--documents N] [--seconds S] [--rounds R] [--temp DIR]</c>.</summary>
internal sealed class BenchmarkOptions
{
    public const string Usage = """
        usage: dotnet run -c Release --project tests/Persistence.Benchmarks -- [options]
          --quick               small N and short runs: the whole comparison in under a minute
          --workload W1,W4      workload families to run (default: W1-W9, and T1-T3 in full mode; W10 runs only when
                                named; --quick leaves out W10 and T1-T3, which do not fit its budget)
          --peer sqlite,efcore  peers to run (default: sqlite, efcore, lmdb, disk-floor); our typed peer is always added, it is
                                every ratio's numerator; persistence-kv (our engine at the key-value level) runs only
                                when named
          --documents N         override N (documents loaded by W1 and preloaded by W4-W8)
          --seconds S           override the length of every timed measurement
          --rounds R            run each workload R times, the peers alternating inside each round, and report the
                                median of every metric (default 1)
          --temp DIR            parent of the temporary databases (default: the system temp folder)
        """;

    public bool Quick { get; private set; }

    public IReadOnlySet<string>? Workloads { get; private set; }

    public IReadOnlySet<string>? Peers { get; private set; }

    public long? Documents { get; private set; }

    public double? Seconds { get; private set; }

    public string? Temp { get; private set; }

    /// <summary>How many times each workload runs on every peer (<see cref="Reporting.RoundMedians"/>).</summary>
    public int Rounds { get; private set; } = 1;

    /// <summary>Parses the arguments; null with <paramref name="error"/> set when they are wrong.</summary>
    public static BenchmarkOptions? Parse(string[] args, out string? error)
    {
        var options = new BenchmarkOptions();
        error = null;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--quick":
                        options.Quick = true;
                        break;
                    case "--workload" or "--workloads":
                        options.Workloads = List(args, ++i);
                        break;
                    case "--peer" or "--peers":
                        options.Peers = List(args, ++i);
                        break;
                    case "--documents":
                        options.Documents = long.Parse(Value(args, ++i), CultureInfo.InvariantCulture);
                        break;
                    case "--seconds":
                        options.Seconds = double.Parse(Value(args, ++i), CultureInfo.InvariantCulture);
                        break;
                    case "--rounds":
                        options.Rounds = int.Parse(Value(args, ++i), CultureInfo.InvariantCulture);
                        if (options.Rounds < 1)
                        {
                            error = "--rounds must be at least 1";
                            return null;
                        }

                        break;
                    case "--temp":
                        options.Temp = Value(args, ++i);
                        break;
                    case "--help" or "-h":
                        error = "";
                        return null;
                    default:
                        error = $"unknown option '{args[i]}'";
                        return null;
                }
            }
        }
        catch (FormatException ex)
        {
            error = ex.Message;
            return null;
        }
        catch (ArgumentException ex)
        {
            error = ex.Message;
            return null;
        }

        var unknownWorkload = options.Workloads?.FirstOrDefault(w => WorkloadCatalog.All.All(x => x.Family != w));
        var unknownPeer = options.Peers?.FirstOrDefault(p => PeerCatalog.All.All(x => x.Name != p));
        error = unknownWorkload is not null ? $"unknown workload '{unknownWorkload}'"
            : unknownPeer is not null ? $"unknown peer '{unknownPeer}'"
            : null;
        return error is null ? options : null;
    }

    /// <summary>The settings of the mode, with the overrides applied.</summary>
    public BenchmarkSettings Settings()
    {
        var settings = Quick ? BenchmarkSettings.QuickMode : BenchmarkSettings.Full;
        if (Documents is { } documents)
        {
            settings = settings with { Documents = documents };
        }

        if (Seconds is { } seconds)
        {
            settings = settings with { WriteDuration = TimeSpan.FromSeconds(seconds), ReadDuration = TimeSpan.FromSeconds(seconds) };
        }

        return settings;
    }

    /// <summary>The workloads to run, in catalog order.</summary>
    public IReadOnlyList<IWorkload> SelectWorkloads() =>
        WorkloadCatalog.All
            .Where(w => Workloads is null ? !w.ExplicitOnly : Workloads.Contains(w.Family))
            .Where(w => !(Quick && w.FullModeOnly))
            .ToList();

    /// <summary>Workloads named on the command line that <c>--quick</c> leaves out, to say so.</summary>
    public IReadOnlyList<string> DroppedByQuick() =>
        Quick && Workloads is not null
            ? [.. WorkloadCatalog.All.Where(w => w.FullModeOnly && Workloads.Contains(w.Family)).Select(w => w.Family).Distinct()]
            : [];

    /// <summary>The peers to run, in catalog order; ours is always included.</summary>
    public IReadOnlyList<PeerDescriptor> SelectPeers() =>
        PeerCatalog.All.Where(p => (Peers is null ? p.InDefaultRun : Peers.Contains(p.Name)) || p.Name == PeerCatalog.Ours).ToList();

    private static string Value(string[] args, int i) =>
        i < args.Length ? args[i] : throw new ArgumentException($"'{args[i - 1]}' needs a value");

    private static HashSet<string> List(string[] args, int i) =>
        Value(args, i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => s.Length > 1 && s[0] is 'w' or 'W' or 't' or 'T' && char.IsDigit(s[1]) ? s.ToUpperInvariant() : s.ToLowerInvariant())
            .ToHashSet(StringComparer.Ordinal);
}
