namespace Persistence.Storage;

/// <summary>How the file system compares the names of files.</summary>
internal static class FileNames
{
    /// <summary>
    /// The comparison of two full paths: names that differ by case only name the same file on the file systems that
    /// ignore case by default, those of Windows and macOS, and different files elsewhere.
    /// </summary>
    internal static readonly StringComparison Comparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
}
