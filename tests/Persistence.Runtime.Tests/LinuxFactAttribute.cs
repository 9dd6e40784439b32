namespace Persistence.Tests;

/// <summary>
/// A fact that reads Linux's per-thread counters under <c>/proc</c>: skipped, and reported as such, elsewhere, rather
/// than passing without having looked.
/// </summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "reads /proc/<pid>/task/<tid>/status, which only Linux has";
        }
    }
}
