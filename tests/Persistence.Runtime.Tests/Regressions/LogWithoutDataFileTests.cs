using Persistence.Storage;
using Persistence.Testing;

namespace Persistence.Tests.Regressions;

/// <summary>
/// The open created a new database wherever the data file was missing or empty, even with a log beside it holding
/// commits: the new file's random chain seed made the old frames unreadable, and the next commits overwrote them.
/// The creation only makes the log after the complete file is in place, so such a log means damage, and is refused.
/// </summary>
public sealed class LogWithoutDataFileTests
{
    private const string DataPath = "/sim/test.db";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_missing_or_empty_data_file_beside_a_log_is_refused_and_the_log_kept(bool truncate)
    {
        var fs = new SimulatedFileSystem();
        using (var db = TestDatabases.Open(fs))
        {
            var ks = db.Write(tx => tx.CreateKeyspace("k"));
            db.Write(tx => tx.Put(ks, "a"u8, "1"u8));
        }

        var log = fs.AllFiles().Where(f => f.StartsWith(DataPath + "-wal/", StringComparison.Ordinal)).ToDictionary(f => f, fs.ReadAllBytes);
        Assert.NotEmpty(log);
        if (truncate)
        {
            fs.Truncate(DataPath, 0);
        }
        else
        {
            ((IFileSystem)fs).DeleteFile(DataPath);
        }

        var error = Assert.Throws<CorruptionException>(() => TestDatabases.Open(fs).Dispose());

        Assert.Equal(ErrorCode.Corruption, error.Code);
        Assert.Contains(truncate ? "is empty" : "is missing", error.Message, StringComparison.Ordinal);
        Assert.All(log, segment => Assert.Equal(segment.Value, fs.ReadAllBytes(segment.Key)));
        Assert.Equal(truncate, fs.AllFiles().Contains(DataPath));
    }

    [Fact]
    public void An_empty_data_file_with_no_log_is_created_as_a_new_database()
    {
        var fs = new SimulatedFileSystem();
        using (((IFileSystem)fs).OpenFile(DataPath, create: true))
        {
        }

        using var db = TestDatabases.Open(fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx => tx.Put(ks, "a"u8, "1"u8));
        Assert.Equal("1"u8.ToArray(), db.BeginRead().Get(ks, "a"u8));
    }
}
