using Persistence.Storage;
using Persistence.Testing;

namespace Persistence.Tests.Storage;

/// <summary>
/// The simulated file system's handles behave as the operating system's once disposed (they used to ignore disposal,
/// so no test could see the engine use a file it had closed), without changing what a crash keeps.
/// </summary>
public sealed class SimulatedFileSystemTests
{
    private const string Path = "/sim/file";

    [Fact]
    public void A_disposed_handle_refuses_every_use_and_is_no_crash_point()
    {
        var (fs, file) = DurableFile();
        IFileSystem files = fs;
        Assert.Equal(1, fs.OpenHandles(Path));
        var operations = fs.Operations;

        file.Dispose();
        file.Dispose(); // twice is harmless, as for a real handle
        Assert.Equal(0, fs.OpenHandles(Path));
        Assert.Throws<ObjectDisposedException>(() => file.Read(0, new byte[3]));
        Assert.Throws<ObjectDisposedException>(() => file.Length);
        Assert.Throws<ObjectDisposedException>(() => file.Write(0, [4]));
        Assert.Throws<ObjectDisposedException>(() => file.Write(0, [new byte[] { 4 }]));
        Assert.Throws<ObjectDisposedException>(() => file.SetLength(0));
        Assert.Throws<ObjectDisposedException>(file.Flush);
        Assert.Equal(operations, fs.Operations); // refused before it reached the disk: not counted toward a crash point

        // The file itself is untouched, and another handle works.
        using var again = files.OpenFile(Path, create: false);
        var bytes = new byte[3];
        Assert.Equal(3, again.Read(0, bytes));
        Assert.Equal([1, 2, 3], bytes);
        Assert.Equal([1, 2, 3], fs.AfterCrash(CrashMode.DropUnsynced, new Random(0)).ReadAllBytes(Path));
    }

    /// <summary>
    /// After a failed fsync, Linux marks the pages it lost clean: readers see them, but a later fsync that succeeds does
    /// not write them, so a power failure loses them; only writing them again makes them durable (helper-59: the model
    /// used to let the next flush make them durable, which hid any engine that took a later fsync as proof).
    /// </summary>
    [Fact]
    public void Pages_a_failed_flush_lost_stay_lost_through_later_flushes_until_written_again()
    {
        var (fs, file) = DurableFile(); // [1, 2, 3], durable
        file.Write(0, [4, 4]);
        fs.Fault = point => point.Kind == FaultKind.Flush ? new IOException("injected fsync failure") : null;
        Assert.Throws<StorageException>(file.Flush);
        fs.Fault = null;
        file.Write(2, [5, 6]);
        fs.FailWriteback(Path); // a write-back that fails outside any flush (the error goes to whichever flush looks)
        file.Write(1, [7]);
        file.Flush();
        Assert.Equal([4, 7, 5, 6], fs.ReadAllBytes(Path)); // readers see every write
        Assert.Equal([1, 7, 3, 0], fs.AfterCrash(CrashMode.KeepAll, new Random(0)).ReadAllBytes(Path)); // only the rewritten byte became durable
        file.Dispose();
    }

    [Fact]
    public void The_operation_log_puts_boundaries_around_fsyncs_and_name_changes_which_are_no_crash_points()
    {
        var fs = new SimulatedFileSystem();
        IFileSystem files = fs;
        var log = OperationLog.Attach(fs);
        using (var file = files.OpenFile("/sim/a", create: true)) // a create after 0 operations: boundary 0
        {
            file.Write(0, [1]); // 0
            file.Write(1, [2]); // 1
            file.Write(2, [3]); // 2
            file.Flush(); // 3: boundaries 3 and 4
        }

        using (var file = files.OpenFile("/sim/a", create: false))
        {
            file.Write(3, [4]); // 4
            file.Write(4, [5]); // 5
            file.Write(5, [6]); // 6
        }

        files.RenameFile("/sim/a", "/sim/b"); // after 7 operations: boundaries 6 and 7
        files.SyncDirectory("/sim");
        Assert.Equal(7, log.Count);
        Assert.Equal([0, 3, 4, 6, 7], log.Boundaries);
        Assert.Equal(3, log.Pick(new Random(0), 1, 3, atBoundary: true));
        Assert.InRange(log.Pick(new Random(0), 1, 2, atBoundary: true), 1, 2); // none in range: any point in it
        Assert.Equal(3, log.FirstSync("/sim/a", 0));
        Assert.Null(log.FirstSync("/sim/a", 4)); // the file was never synced again
        Assert.Null(log.FirstSync("/sim/b", 0)); // recorded under the name its handle was opened with
        Assert.Equal(0, log.FirstWrite("/sim/a", 0));
        Assert.Equal(4, log.FirstWrite("/sim/a", 3)); // the fsync at 3 is no write
        Assert.Null(log.FirstWrite("/sim/a", 7));
    }

    [Fact]
    public void An_operation_held_before_it_is_counted_lets_another_thread_go_first_and_fails_if_the_power_failed_meanwhile()
    {
        var fs = new SimulatedFileSystem { CrashAtOperation = 2 };
        IFileSystem files = fs;
        using var reached = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var heldThread = -1;
        fs.BeforeCounted = (kind, _) =>
        {
            if (Environment.CurrentManagedThreadId == Volatile.Read(ref heldThread))
            {
                reached.Set();
                release.Wait();
            }
        };
        using (files.OpenFile("/sim/a", create: true))
        {
        }

        files.SyncDirectory("/sim");
        using var file = files.OpenFile("/sim/a", create: false);
        Exception? heldFailure = null;
        var held = new Thread(() =>
        {
            try
            {
                file.Flush();
            }
            catch (Exception ex)
            {
                heldFailure = ex;
            }
        });
        heldThread = held.ManagedThreadId;
        held.Start();
        reached.Wait();

        // The held fsync has no index yet: these writes are operations 0 and 1, and the power fails at the next one.
        file.Write(0, [1]);
        file.Write(1, [2]);
        Assert.Equal(2, fs.Operations);
        release.Set();
        held.Join();
        Assert.IsType<SimulatedCrashException>(heldFailure);
        Assert.True(fs.Crashed);
        Assert.Empty(fs.AfterCrash(CrashMode.DropUnsynced, new Random(0)).ReadAllBytes("/sim/a")); // the held fsync never ran
    }

    [Fact]
    public void A_read_held_before_it_reaches_the_disk_fails_if_the_handle_is_disposed_meanwhile()
    {
        var fs = new SimulatedFileSystem();
        IFileSystem files = fs;
        var file = files.OpenFile(Path, create: true);
        file.Write(0, [1, 2, 3]);
        var seen = new List<ReadPoint>();
        fs.BeforeRead = point =>
        {
            seen.Add(point);
            file.Dispose(); // the close lands between the caller's call and the read itself
        };

        Assert.Throws<ObjectDisposedException>(() => file.Read(0, new byte[3]));
        Assert.Equal([new ReadPoint(System.IO.Path.GetFullPath(Path), OfLength: false)], seen);
    }

    [Fact]
    public void A_crash_still_fails_open_handles_with_the_crash_and_keeps_only_flushed_writes()
    {
        var (fs, file) = DurableFile();
        fs.CrashAtOperation = fs.Operations + 1;
        file.Write(0, [9]);
        Assert.Throws<SimulatedCrashException>(() => file.Write(1, [9]));
        Assert.Throws<SimulatedCrashException>(() => file.Read(0, new byte[3]));
        file.Dispose(); // closing after the power failed is allowed, and then the handle is disposed like any other
        Assert.Throws<ObjectDisposedException>(() => file.Write(1, [9]));

        Assert.Equal([1, 2, 3], fs.AfterCrash(CrashMode.DropUnsynced, new Random(0)).ReadAllBytes(Path));
    }

    /// <summary>
    /// A directory sync that <see cref="SimulatedFileSystem.SyncDirectoryFault"/> fails throws a
    /// <see cref="StorageException"/> and makes nothing durable: a power failure still undoes the rename it was to keep,
    /// until a sync succeeds.
    /// </summary>
    [Fact]
    public void A_failed_directory_sync_throws_and_leaves_the_name_changes_undurable()
    {
        var (fs, file) = DurableFile();
        file.Dispose();
        IFileSystem files = fs;
        files.RenameFile(Path, "/sim/renamed");
        fs.SyncDirectoryFault = directory => directory == "/sim" ? new IOException("injected directory fsync failure") : null;

        var error = Assert.Throws<StorageException>(() => files.SyncDirectory("/sim"));

        Assert.Equal(ErrorCode.IOError, error.Code);
        Assert.Equal([Path], fs.AfterCrash(CrashMode.DropUnsynced, new Random(0)).AllFiles());
        fs.SyncDirectoryFault = null;
        files.SyncDirectory("/sim");
        Assert.Equal(["/sim/renamed"], fs.AfterCrash(CrashMode.DropUnsynced, new Random(0)).AllFiles());
    }

    /// <summary>A file holding 1, 2, 3, written, synced and named durably, and its open handle.</summary>
    private static (SimulatedFileSystem Fs, IStorageFile File) DurableFile()
    {
        var fs = new SimulatedFileSystem();
        IFileSystem files = fs;
        var file = files.OpenFile(Path, create: true);
        file.Write(0, [1, 2, 3]);
        file.Flush();
        files.SyncDirectory("/sim");
        return (fs, file);
    }
}
