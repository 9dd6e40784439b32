namespace Persistence.Benchmarks.Measurement;

/// <summary>
/// Bytes a peer uses on disk after a checkpoint: its main data file, and everything in its directory (the log and its
/// side files included). Logical file lengths, as <c>ls -l</c> shows them.
/// </summary>
internal readonly record struct DiskUsage(long DataFileBytes, long TotalBytes)
{
    public static DiskUsage Measure(string dataFile, string directory)
    {
        var total = new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        return new DiskUsage(new FileInfo(dataFile).Length, total);
    }
}
