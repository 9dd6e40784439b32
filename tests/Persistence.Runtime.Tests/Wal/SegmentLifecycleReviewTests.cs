using Persistence.Storage;
using Persistence.Testing;
using Persistence.Wal;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Wal;

/// <summary>
/// The log's segment lifecycle (review): preparing a segment (zero-filled or a renamed spare), recycling segments after
/// a checkpoint, and what recovery makes of what is left on disk, under failed preparations and power failures at the
/// steps in between.
/// </summary>
public sealed class SegmentLifecycleReviewTests
{
    private const string WalDirectory = "/sim/test.db-wal";
    private static readonly int SegmentSize = Quiet().WalSegmentBytes;

    /// <summary>The options with segments prepared in the background (no checkpoint is due with Quiet's limits).</summary>
    private static DatabaseOptions Background(DatabaseOptions options)
    {
        options.BackgroundWork = true;
        return options;
    }

    /// <summary>
    /// A background preparation that fails (here: the disk refuses the zero-fill) leaves the new file behind, its name
    /// never made durable. The process goes on without a reboot, and the next open lists the file as a segment: the log
    /// writes acknowledged durable commits into it and fsyncs the file, but nothing had synced the directory, so a power
    /// failure can take the file's name, and the commits in it, away.
    /// </summary>
    [Fact]
    public void A_segment_left_by_a_failed_preparation_keeps_its_commits_after_a_reopen_and_a_power_failure()
    {
        var fs = new SimulatedFileSystem();
        var db = Open(fs, Background(Quiet()));
        fs.Fault = point => point.Kind == FaultKind.Write && point.Path.EndsWith(WalSegments.NameOf(1), StringComparison.Ordinal)
            ? new IOException("injected: no space for the next segment")
            : null;
        var ks = db.Write(tx => tx.CreateKeyspace("k")); // prepares segment 0; segment 1's preparation fails in the background
        WaitUntil(() => db.IsReadOnly, "the failed preparation did not make the database read-only");
        db.Dispose();
        fs.Fault = null;
        Assert.Contains(WalDirectory + "/" + WalSegments.NameOf(1), fs.AllFiles()); // left behind, its name not durable

        // Reopened by the same process (no reboot): the log fills segment 0 and moves into segment 1.
        using var release = new ManualResetEventSlim();
        fs.Fault = point =>
        {
            // Holds back the preparation of segment 2 (whose directory sync would also make segment 1's name durable).
            if (point.Path.EndsWith(WalSegments.NameOf(2), StringComparison.Ordinal))
            {
                release.Wait(TimeSpan.FromSeconds(60));
            }

            return null;
        };

        SimulatedFileSystem image;
        var acknowledged = 0;
        db = Open(fs, Background(Quiet()));
        try
        {
            ks = db.Write(tx => tx.GetKeyspace("k"));
            while (db.Wal!.DurableLsn < SegmentSize + 4096)
            {
                var i = acknowledged;
                db.Write(tx => tx.Put(ks, Key(i), new byte[1500]));
                acknowledged++;
            }

            image = fs.AfterCrash(CrashMode.DropUnsynced, new Random(1)); // power fails now
        }
        finally
        {
            release.Set();
            db.Dispose();
        }

        using var recovered = Open(image, Quiet());
        using var read = recovered.BeginRead();
        var missing = Enumerable.Range(0, acknowledged).Where(i => !read.ContainsKey(read.GetKeyspace("k"), Key(i))).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged} acknowledged durable commits lost, the first {missing.FirstOrDefault()}");
    }

    /// <summary>
    /// Two buffered commits A and B; the power fails and the disk kept B's write but not A's (a reordering crash,
    /// <see cref="CrashMode.Reorder"/>; made here by zeroing A's bytes). Recovery ends before A, and B stays on disk
    /// after the log's end. The application then commits exactly what A wrote again: same version number, LSN, payload
    /// and chain seed, so the frame is byte for byte A's, and B's stale frame chains onto it. The next open must not
    /// replay B, a commit of the lost history that the new history never made.
    /// </summary>
    [Fact]
    public void A_stale_commit_after_the_log_end_does_not_come_back_when_the_commit_before_it_is_repeated()
    {
        var fs = new SimulatedFileSystem();
        var db = Open(fs, Quiet());
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx => tx.Put(ks, Bytes("before"), Bytes("1")));
        var startOfA = db.Wal!.WrittenLsn;
        db.Write(tx => tx.Put(ks, Bytes("a"), new byte[3000]), durability: Durability.Buffered);
        var endOfA = db.Wal.WrittenLsn;
        db.Write(tx => tx.Put(ks, Bytes("b"), Bytes("lost with the history it belonged to")), durability: Durability.Buffered);
        Assert.True(db.Wal.WrittenLsn < SegmentSize); // all in segment 0
        var image = fs.AfterCrash(CrashMode.KeepAll, new Random(1));
        db.Dispose();
        image.Corrupt(WalDirectory + "/" + WalSegments.NameOf(0), startOfA, new byte[endOfA - startOfA]);

        db = Open(image, Quiet());
        using (var read = db.BeginRead())
        {
            Assert.True(read.ContainsKey(read.GetKeyspace("k"), Bytes("before")));
            Assert.False(read.ContainsKey(read.GetKeyspace("k"), Bytes("a")));
            Assert.False(read.ContainsKey(read.GetKeyspace("k"), Bytes("b")));
        }

        db.Write(tx => tx.Put(tx.GetKeyspace("k"), Bytes("a"), new byte[3000])); // the same write again, durable
        Assert.Equal(endOfA, db.Wal!.WrittenLsn); // the same place in the log
        db.Dispose();

        using var reopened = Open(image, Quiet());
        using var after = reopened.BeginRead();
        Assert.True(after.ContainsKey(after.GetKeyspace("k"), Bytes("a")));
        Assert.False(after.ContainsKey(after.GetKeyspace("k"), Bytes("b")), "a commit lost at the crash came back");
    }

    /// <summary>
    /// The recycle path: after a checkpoint the oldest obsolete segment is kept as a spare and the rest are deleted; the
    /// spare is later renamed into place as a new segment without being cleared, so the log's tail in it is followed by
    /// the spare's stale frames. Recovery must end exactly at the last commit (the stale frames carry other LSNs and
    /// another chain) and keep every acknowledged commit.
    /// </summary>
    [Fact]
    public void A_spare_renamed_into_place_keeps_its_stale_frames_out_of_recovery()
    {
        var fs = new SimulatedFileSystem();
        var db = Open(fs, Quiet());
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        var acknowledged = 0;
        void Commit()
        {
            var i = acknowledged;
            db.Write(tx => tx.Put(ks, Key(i), Filler(i)));
            acknowledged++;
        }

        while (db.Wal!.WrittenLsn < 4L * SegmentSize)
        {
            Commit();
        }

        // The segment after the current one is prepared in the background from the moment the current one opened: wait
        // for it before the checkpoint makes a spare, so that the spare goes to the segment after that, not to this one.
        var current = db.Wal.WrittenLsn / SegmentSize;
        WaitUntil(() => WalFiles(fs).Contains(SegmentPath(current + 1)), "the next segment was never prepared");
        db.Checkpoint(); // the log now starts in the current segment: one older segment is kept as the spare, the rest deleted
        Assert.Equal(current, db.Wal.WrittenLsn / SegmentSize);
        var older = WalFiles(fs).Where(f => IndexOf(f) < current).ToList();
        var spare = Assert.Single(older);
        Assert.Equal([current, current + 1], WalFiles(fs).Select(IndexOf).Where(i => i >= current)); // and the next one, prepared ahead

        // Entering the next segment prepares the one after it from the spare.
        while (db.Wal.WrittenLsn < (current + 1) * SegmentSize)
        {
            Commit();
        }

        WaitUntil(() => WalFiles(fs).Contains(SegmentPath(current + 2)), "the segment after the next was never prepared");
        Assert.DoesNotContain(spare, WalFiles(fs)); // renamed, not zero-filled
        while (db.Wal.WrittenLsn < (current + 2) * SegmentSize)
        {
            Commit();
        }

        Commit();
        var end = db.Wal.DurableLsn;
        Assert.Equal(current + 2, end / SegmentSize);
        var tail = fs.ReadAllBytes(SegmentPath(current + 2)).AsSpan((int)(end % SegmentSize));
        Assert.True(tail.ContainsAnyExcept((byte)0), "the renamed spare held no stale frames after the log's end: the test did not exercise them");

        var image = fs.AfterCrash(CrashMode.DropUnsynced, new Random(3));
        db.Dispose();
        using var recovered = Open(image, Quiet());
        Assert.Equal(end, recovered.Wal!.NextLsn); // the log ends exactly after the last commit
        AssertPrefix(recovered, acknowledged, exact: true);
        AssertConsistent(recovered);
    }

    /// <summary>
    /// Power fails after a spare was renamed into place but before the directory was synced (the rename may be lost or
    /// kept), while commits go on: nothing is ever written into the renamed segment before its name is durable, so
    /// every acknowledged commit survives either way.
    /// </summary>
    [Theory]
    [InlineData(CrashMode.DropUnsynced)]
    [InlineData(CrashMode.KeepAll)]
    public void A_power_failure_between_renaming_a_spare_and_syncing_the_directory_loses_nothing(CrashMode mode)
    {
        var sim = new SimulatedFileSystem();
        var acknowledged = 0;
        var images = new List<(SimulatedFileSystem Image, int Acknowledged, string From, string To)>();
        var fs = new HookedFileSystem(sim)
        {
            AfterRename = (from, to) =>
            {
                if (to.EndsWith(".wal", StringComparison.Ordinal))
                {
                    var count = Volatile.Read(ref acknowledged); // before the image: see the test below
                    lock (images)
                    {
                        images.Add((sim.AfterCrash(mode, new Random(images.Count)), count, from, to));
                    }
                }
            },
        };
        using (var db = Database.Open("/sim/test.db", Quiet(), fs))
        {
            var ks = db.Write(tx => tx.CreateKeyspace("k"));
            for (var round = 0; round < 3; round++)
            {
                var stop = db.Wal!.WrittenLsn + (3L * SegmentSize);
                while (db.Wal.WrittenLsn < stop)
                {
                    var i = acknowledged;
                    db.Write(tx => tx.Put(ks, Key(i), Filler(i)));
                    Volatile.Write(ref acknowledged, i + 1);
                }

                db.Checkpoint();
            }
        }

        Assert.True(images.Count >= 2, $"{images.Count} spares renamed into place: the test did not exercise the rename");
        foreach (var (image, count, from, to) in images)
        {
            var names = image.AllFiles();
            Assert.Equal(mode == CrashMode.KeepAll, names.Contains(to));
            Assert.Equal(mode != CrashMode.KeepAll, names.Contains(from));
            using var recovered = Open(image, Quiet());
            AssertPrefix(recovered, count, exact: false);
            AssertConsistent(recovered);
        }
    }

    /// <summary>
    /// Segments are recycled only after the checkpoint that makes them obsolete is durable: a power failure right after
    /// a recycle's deletions became durable (the directory sync) still finds a meta page whose log start is in a
    /// segment that exists, and every acknowledged commit.
    /// </summary>
    [Fact]
    public void A_power_failure_right_after_segments_are_deleted_finds_the_checkpoint_that_made_them_obsolete()
    {
        var sim = new SimulatedFileSystem();
        var acknowledged = 0;
        var deletions = 0;
        var images = new List<(SimulatedFileSystem Image, int Acknowledged)>();
        var fs = new HookedFileSystem(sim)
        {
            AfterDelete = path =>
            {
                if (path.EndsWith(".wal", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref deletions);
                }
            },
            AfterSyncDirectory = directory =>
            {
                if (directory.EndsWith("-wal", StringComparison.Ordinal) && Volatile.Read(ref deletions) > 0)
                {
                    // The count first: a commit acknowledged after it may or may not be in the image, one before it must be
                    // (read after the image, it counted the commits made while this thread waited to read it).
                    var count = Volatile.Read(ref acknowledged);
                    lock (images)
                    {
                        images.Add((sim.AfterCrash(CrashMode.DropUnsynced, new Random(images.Count)), count));
                    }
                }
            },
        };
        using (var db = Database.Open("/sim/test.db", Quiet(), fs))
        {
            var ks = db.Write(tx => tx.CreateKeyspace("k"));
            for (var round = 0; round < 3; round++)
            {
                var stop = db.Wal!.WrittenLsn + (4L * SegmentSize);
                while (db.Wal.WrittenLsn < stop)
                {
                    var i = acknowledged;
                    db.Write(tx => tx.Put(ks, Key(i), Filler(i)));
                    Volatile.Write(ref acknowledged, i + 1);
                }

                db.Checkpoint();
            }
        }

        Assert.True(deletions >= 4, $"{deletions} segments deleted: the test did not exercise recycling");
        Assert.NotEmpty(images);
        foreach (var (image, count) in images)
        {
            using var recovered = Open(image, Quiet());
            AssertPrefix(recovered, count, exact: false);
            AssertConsistent(recovered);
        }
    }

    private static byte[] Key(int i) => Bytes($"key{i:D6}");

    private static byte[] Filler(int i) => [.. Enumerable.Range(0, 1500).Select(b => (byte)(i + b))];

    private static string SegmentPath(long index) => WalDirectory + "/" + WalSegments.NameOf(index);

    private static long IndexOf(string segmentPath) => long.Parse(Path.GetFileNameWithoutExtension(segmentPath), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

    private static List<string> WalFiles(SimulatedFileSystem fs) => [.. fs.AllFiles().Where(f => f.StartsWith(WalDirectory + "/", StringComparison.Ordinal))];

    /// <summary>Keys 0 to <paramref name="acknowledged"/> − 1 are present with their values, and what else is present is a prefix after them.</summary>
    private static void AssertPrefix(Database db, int acknowledged, bool exact)
    {
        using var read = db.BeginRead();
        var ks = read.GetKeyspace("k");
        var count = (int)read.Count(ks);
        Assert.True(exact ? count == acknowledged : count >= acknowledged, $"{count} commits recovered, {acknowledged} acknowledged");
        for (var i = 0; i < count; i++)
        {
            Assert.True(read.TryGet(ks, Key(i), out var value), $"commit {i} of {count} missing");
            Assert.Equal(Filler(i), value.ToArray());
        }
    }

    private static void WaitUntil(Func<bool> condition, string message)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60); // a bound on a busy machine, not a timing
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, message);
            Thread.Sleep(1);
        }
    }
}

/// <summary>Passes everything to a simulated file system and runs hooks after renames, deletes and directory syncs.</summary>
internal sealed class HookedFileSystem(SimulatedFileSystem inner) : IFileSystem
{
    private readonly IFileSystem _inner = inner;

    public Action<string, string>? AfterRename { get; init; }

    public Action<string>? AfterDelete { get; init; }

    public Action<string>? AfterSyncDirectory { get; init; }

    public IStorageFile OpenFile(string path, bool create) => _inner.OpenFile(path, create);

    public IStorageFile OpenRead(string path) => _inner.OpenRead(path);

    public bool FileExists(string path) => _inner.FileExists(path);

    public void DeleteFile(string path)
    {
        _inner.DeleteFile(path);
        AfterDelete?.Invoke(Path.GetFullPath(path));
    }

    public void RenameFile(string source, string destination)
    {
        _inner.RenameFile(source, destination);
        AfterRename?.Invoke(Path.GetFullPath(source), Path.GetFullPath(destination));
    }

    public void CreateDirectory(string path) => _inner.CreateDirectory(path);

    public void DeleteDirectory(string path) => _inner.DeleteDirectory(path);

    public IReadOnlyList<string> ListFiles(string directory) => _inner.ListFiles(directory);

    public void SyncDirectory(string directory)
    {
        _inner.SyncDirectory(directory);
        AfterSyncDirectory?.Invoke(Path.GetFullPath(directory));
    }

    public IDisposable LockFile(string path) => _inner.LockFile(path);
}
