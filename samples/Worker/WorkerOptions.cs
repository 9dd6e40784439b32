namespace Worker;

/// <summary>The sample's own settings (section <c>Worker</c>).</summary>
public sealed class WorkerOptions
{
    /// <summary>The configuration section: <c>Worker</c>.</summary>
    public const string SectionName = "Worker";

    /// <summary>How many orders one run places (each from a checkout session of its own) before it stops the application.</summary>
    public int Orders { get; set; } = 10;

    /// <summary>The pause between two orders.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long to wait for the collector to remove the expired sessions before logging a warning; null (the default):
    /// two collector intervals and ten seconds.
    /// </summary>
    public TimeSpan? CollectTimeout { get; set; }
}
