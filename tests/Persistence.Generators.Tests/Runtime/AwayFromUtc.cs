namespace Persistence.Generators.Tests.Runtime;

/// <summary>
/// Tests whose outcome depends on the machine's time zone (a Local DateTime converted to UTC) run under Europe/Berlin,
/// whatever the zone of the machine: on a UTC machine, such as CI's, a Local value differs from a UTC one in its Kind
/// alone, and a test of the conversion could not fail there. The zone is process-wide, so the collection runs alone,
/// after the parallel ones.
/// </summary>
[CollectionDefinition(nameof(AwayFromUtc), DisableParallelization = true)]
public sealed class AwayFromUtc
{
    /// <summary>The zone the tests run under.</summary>
    public const string Zone = "Europe/Berlin";

    /// <summary>Sets the process's zone to <see cref="Zone"/> until disposed.</summary>
    public static IDisposable Enter()
    {
        var previous = Environment.GetEnvironmentVariable("TZ");
        Environment.SetEnvironmentVariable("TZ", Zone);
        TimeZoneInfo.ClearCachedData();
        var restore = new Restore(previous);
        if (TimeZoneInfo.Local.GetUtcOffset(new DateTime(2026, 11, 24)) == TimeSpan.Zero)
        {
            restore.Dispose();
            throw new InvalidOperationException($"The time zone {Zone} is not available here (install tzdata): the tests of Local values would prove nothing.");
        }

        return restore;
    }

    private sealed class Restore(string? previous) : IDisposable
    {
        public void Dispose()
        {
            Environment.SetEnvironmentVariable("TZ", previous);
            TimeZoneInfo.ClearCachedData();
        }
    }
}
