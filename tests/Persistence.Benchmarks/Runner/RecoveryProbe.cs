using System.Diagnostics;
using System.Globalization;
using Persistence.Benchmarks.Data;

namespace Persistence.Benchmarks.Runner;

/// <summary>
/// The memory of a recovery that replays one large commit (<c>recovery [N]</c>, default 2,000,000 users): a child
/// process loads N users in one durable transaction into a fresh database whose checkpoints never trigger, then exits
/// without closing it, so that the log alone holds the acknowledged commit, as after a power failure. A second child
/// opens the database, which replays the log, and reports the open's wall time, the leaves the replay wrote out early
/// and its peak working set; once as shipped and once with early writes off (every replayed node held until the
/// checkpoint after the open, as before stop 23). The page cache is 64 MiB, the bound the replay should stay near.
/// </summary>
internal static class RecoveryProbe
{
    private const long CacheBytes = 64L << 20;

    public static int Run(string[] args)
    {
        switch (args)
        {
            case ["load", var directory, var count]:
                Load(directory, long.Parse(count, CultureInfo.InvariantCulture));
                return 0;
            case ["open", var directory, var mode, var count]:
                return Open(directory, holdEverything: mode == "hold", long.Parse(count, CultureInfo.InvariantCulture));
        }

        var documents = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 2_000_000;
        var root = Path.Combine(Path.GetTempPath(), $"persistence-recovery-{Environment.ProcessId}");
        try
        {
            foreach (var mode in new[] { "early", "hold" })
            {
                var directory = Path.Combine(root, mode);
                Directory.CreateDirectory(directory);
                var loaded = Child("load", directory, documents.ToString(CultureInfo.InvariantCulture));
                var opened = loaded == 0 ? Child("open", directory, mode, documents.ToString(CultureInfo.InvariantCulture)) : loaded;
                if (opened != 0)
                {
                    Console.Error.WriteLine($"recovery probe: a child process failed ({mode}, exit code {opened})");
                    return 1;
                }
            }

            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static DatabaseOptions Options() => new()
    {
        PageCacheBytes = CacheBytes,
        CheckpointWalBytes = 1L << 40,
        CheckpointInterval = TimeSpan.FromDays(1),
    };

    /// <summary>Loads the users in one durable transaction and exits without closing the database.</summary>
    private static void Load(string directory, long documents)
    {
        var database = Database.Open(Path.Combine(directory, "users.db"), Options());
        var users = new UserCollection(database);
        using (var transaction = database.BeginWrite(Durability.Durable))
        {
            foreach (var batch in new UserBatches(new UserFactory(42), 1, documents))
            {
                users.InsertMany(batch, transaction);
            }

            transaction.Commit();
        }

        Console.Out.Flush();
        Environment.Exit(0); // no Dispose: no final checkpoint, the commit lives in the log only
    }

    private static int Open(string directory, bool holdEverything, long documents)
    {
        var options = Options();
        if (holdEverything)
        {
            options.SpillLeavesAfter = int.MaxValue;
            options.RecoveryHeldLogBytes = long.MaxValue;
        }

        var timer = Stopwatch.StartNew();
        using var database = Database.Open(Path.Combine(directory, "users.db"), options);
        var seconds = timer.Elapsed.TotalSeconds;
        var peak = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        var recovered = database.Recovered!;
        var count = new UserCollection(database).Count();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"recovery, {(holdEverything ? "holding the commit's tree and log" : "leaves written early, log read twice")}: {recovered.Commits} commits, {recovered.Bytes / (1024.0 * 1024.0):F0} MiB of log replayed in {seconds:F1} s, {recovered.LeavesWritten} leaves written early, peak working set {peak:F0} MiB; {count} documents"));
        return count == documents ? 0 : 2;
    }

    private static int Child(params string[] arguments)
    {
        var host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(RecoveryProbe).Assembly.Location);
        }

        start.ArgumentList.Add("recovery");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
