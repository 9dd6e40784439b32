using Persistence.Testing;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Regressions;

/// <summary>
/// The open clears what lies after the recovered log (<c>WalSegments.DiscardAfter</c>): it zeroes the rest of the last
/// segment, fsyncs it, then deletes later segments that hold frames and syncs the directory. It fsynced the segment
/// only when it had zeroed something itself. An open that died after zeroing and before the fsync left the zeros in the
/// operating system's cache only; the next open read them there, found nothing to zero, skipped the fsync and made the
/// deletes durable. A power failure before anything else synced the segment brought the cut-short commit's frames
/// back: they chain from the recovered log to the end of the segment and on into a segment that no longer exists,
/// while the zero-filled segments prepared after it still do, so every later open refused the database as corrupt (a
/// missing segment with later ones). Found by the crash torture's recovery kind
/// (<c>--kind recovery --seed 12 --crashes 66:DropUnsynced,2:Process,1:DropBeforeProcessCrash</c>).
/// </summary>
public sealed class DiscardedTailTests
{
    [Fact]
    public void A_power_failure_in_the_open_after_an_open_that_died_while_clearing_the_log_tail_keeps_the_database_openable()
    {
        var options = Quiet();
        options.BackgroundWork = false;
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs, options);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx => tx.Put(ks, Bytes("kept"), Bytes("1")));
        db.Write(tx =>
        {
            for (var i = 0; i < 10; i++)
            {
                tx.Put(ks, Bytes($"cut-{i}"), new byte[12_000]); // about 120 KB of frames: segments 0 to 2
            }
        });

        // The files as they are (all synced: the commits were durable), with the large commit's last frame damaged, as
        // a crash that tore its end leaves it: the replay stops after 'kept', the large commit's other frames stay.
        var image = fs.Clone();
        db.Dispose();
        var segments = image.AllFiles().Where(f => f.EndsWith(".wal", StringComparison.Ordinal)).ToList();
        var holding = segments.Where(s => image.ReadAllBytes(s).AsSpan().ContainsAnyExcept((byte)0)).ToList();
        Assert.True(holding.Count >= 2, "the large commit spans segments");
        Assert.Contains(segments, s => string.CompareOrdinal(s, holding[^1]) > 0); // a prepared, zero-filled segment after them
        var last = image.ReadAllBytes(holding[^1]);
        var end = last.AsSpan().LastIndexOfAnyExcept((byte)0);
        image.Corrupt(holding[^1], end, [(byte)(last[end] ^ 0xFF)]);

        // An open that dies at its first fsync of a segment: the tail's zeros were written, not synced.
        var dying = image.AfterProcessCrash();
        dying.CrashAtOperation = FirstSegmentFlush(image.AfterProcessCrash());
        Assert.ThrowsAny<Exception>(() => TestDatabases.Open(dying, options).Dispose());

        // The next open, on what the cache holds, with the power failing at its first fsync of a segment, and the
        // cache losing what the dead open left unsynced.
        var reopening = dying.AfterProcessCrash();
        reopening.CrashAtOperation = FirstSegmentFlush(dying.AfterProcessCrash());
        Assert.ThrowsAny<Exception>(() => TestDatabases.Open(reopening, options).Dispose());
        var rebooted = reopening.AfterCrash(CrashMode.DropBeforeProcessCrash, new Random(1));

        using var recovered = TestDatabases.Open(rebooted, options);
        using (var read = recovered.BeginRead())
        {
            Assert.Equal(["kept"], read.Scan(read.GetKeyspaces().Single()).Select(e => Text(e.Key)).ToArray());
        }

        AssertConsistent(recovered);
    }

    /// <summary>The storage operation at which an open of <paramref name="fs"/> first fsyncs a log segment.</summary>
    private static long FirstSegmentFlush(SimulatedFileSystem fs)
    {
        long? first = null;
        fs.Fault = point =>
        {
            if (point.Kind == FaultKind.Flush && point.Path.EndsWith(".wal", StringComparison.Ordinal))
            {
                first ??= point.Index;
            }

            return null;
        };
        var options = Quiet();
        options.BackgroundWork = false;
        TestDatabases.Open(fs, options).Dispose();
        return first ?? throw new InvalidOperationException("The open synced no segment.");
    }
}
