using Persistence.Testing;
using Persistence.Wal;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Wal;

/// <summary>
/// Review of overlapping batches (helper-59). Linux reports a failed write-back to one fdatasync per open file: of two
/// running at once on one handle, the first to look takes the error and the other succeeds, whichever batch's pages
/// were lost. So a batch whose sync succeeded is not known durable while a sync that overlapped it still runs.
/// </summary>
public sealed class PipelinedCommitReviewTests
{
    private const string FirstSegment = "0000000000000000.wal";

    /// <summary>
    /// Both batches' syncs run; the write-back of their pages fails and the second sync takes the error, so the first
    /// one's succeeds. The first batch must wait for the second sync and fail with it: acknowledged, it would be lost by
    /// a power failure (the pages were marked clean, and no later sync writes them).
    /// </summary>
    [Fact]
    public async Task A_sync_that_ended_first_is_not_proof_while_an_overlapping_one_may_fail()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Write(tx => tx.Put(ks, Bytes("before"), Bytes("0")));
        var syncsBefore = db.Wal!.Syncs;
        using var firstHeld = new ManualResetEventSlim();
        using var releaseFirst = new ManualResetEventSlim();
        using var secondHeld = new ManualResetEventSlim();
        using var releaseSecond = new ManualResetEventSlim();
        string? segment = null;
        var flushes = 0;
        var holding = 0;
        fs.Fault = point =>
        {
            if (point.Kind != FaultKind.Flush || !point.Path.EndsWith(FirstSegment, StringComparison.Ordinal) || Volatile.Read(ref holding) == 0)
            {
                return null;
            }

            switch (Interlocked.Increment(ref flushes))
            {
                case 1:
                    segment = point.Path;
                    firstHeld.Set();
                    releaseFirst.Wait();
                    return null; // the error went to the other fdatasync
                case 2:
                    secondHeld.Set();
                    releaseSecond.Wait();
                    return new IOException("injected: the write-back failed, reported to this fdatasync");
                default:
                    return new InvalidOperationException("a sync after the failure");
            }
        };

        Task first = Task.CompletedTask, second = Task.CompletedTask;
        try
        {
            Volatile.Write(ref holding, 1);
            first = BlockingWork.Run(() => db.Write(tx => tx.Put(ks, Bytes("first"), Bytes("1"))));
            Assert.True(firstHeld.Wait(TimeSpan.FromSeconds(60)), "the first commit never reached its sync"); // a bound on a busy machine, not a timing
            second = BlockingWork.Run(() => db.Write(tx => tx.Put(ks, Bytes("second"), Bytes("2"))));
            Assert.True(secondHeld.Wait(TimeSpan.FromSeconds(60)), "the second batch was not synced while the first one's sync ran");
            fs.FailWriteback(segment!);
            releaseFirst.Set();
            Assert.True(SpinWait.SpinUntil(() => db.Wal.Syncs == syncsBefore + 1, TimeSpan.FromSeconds(60)), "the first sync did not end");
            SpinWait.SpinUntil(() => first.IsCompleted, TimeSpan.FromMilliseconds(300)); // room for an acknowledgement that must not come
            Assert.False(first.IsCompleted, "the first batch completed while a sync that overlapped its own still ran");
        }
        finally
        {
            releaseFirst.Set(); // also when an assertion failed: a held commit would keep Dispose waiting
            releaseSecond.Set();
        }

        await Assert.ThrowsAsync<DatabaseReadOnlyException>(() => first);
        await Assert.ThrowsAsync<DatabaseReadOnlyException>(() => second);
        Assert.True(db.IsReadOnly);
        Assert.Equal(2, Volatile.Read(ref flushes));
        using var crashed = TestDatabases.Open(fs.AfterCrash(CrashMode.DropUnsynced, new Random(1)));
        using var read = crashed.BeginRead();
        Assert.True(read.ContainsKey(read.GetKeyspace("k"), Bytes("before")));
        Assert.False(read.ContainsKey(read.GetKeyspace("k"), Bytes("first"))); // the pages were lost: it was right to fail it
    }

    /// <summary>
    /// A request that another leader's batch claimed before its waiter came leads the next batch when it comes (the
    /// TryLead path), and then waits for its own: here the request it leads has no waiter at all, so nothing else would
    /// ever claim it.
    /// </summary>
    [Fact]
    public async Task A_waiter_whose_request_is_in_flight_leads_the_next_batch()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs);
        db.Wal!.MaxInFlight = 3; // room for a third batch while two syncs are held
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        using var firstHeld = new ManualResetEventSlim();
        using var secondHeld = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var flushes = 0;
        var holding = 0;
        fs.Fault = point =>
        {
            if (point.Kind == FaultKind.Flush && point.Path.EndsWith(FirstSegment, StringComparison.Ordinal) && Volatile.Read(ref holding) == 1)
            {
                (Interlocked.Increment(ref flushes) == 1 ? firstHeld : secondHeld).Set();
                release.Wait();
            }

            return null;
        };

        Task first = Task.CompletedTask, third = Task.CompletedTask, waiter = Task.CompletedTask;
        CommitRequest claimed = null!, unwaited = null!;
        try
        {
            Volatile.Write(ref holding, 1);
            first = BlockingWork.Run(() => db.Write(tx => tx.Put(ks, Bytes("first"), Bytes("1"))));
            Assert.True(firstHeld.Wait(TimeSpan.FromSeconds(60)), "the first commit never reached its sync"); // a bound on a busy machine, not a timing
            claimed = db.Wal.SubmitSync(); // nobody waits for it yet
            third = BlockingWork.Run(() => db.Write(tx => tx.Put(ks, Bytes("third"), Bytes("3"))));
            Assert.True(secondHeld.Wait(TimeSpan.FromSeconds(60)), "the third commit's batch (with the sync request) was not synced");
            Assert.False(claimed.IsDone);
            unwaited = db.Wal.SubmitSync(); // nobody will ever wait for this one
            waiter = BlockingWork.Run(() => db.Wal.Wait(claimed)); // its request is in flight: it leads the one queued
        }
        finally
        {
            release.Set(); // also when an assertion failed: a held commit would keep Dispose waiting
        }

        await Task.WhenAll(first, third, waiter);
        var led = SpinWait.SpinUntil(() => unwaited.IsDone, TimeSpan.FromSeconds(10));
        if (!led)
        {
            db.Wal.Wait(unwaited); // lead it here, or the close would wait behind it for ever
        }

        Assert.True(led, "the request queued behind the batches in flight was never claimed");
        Assert.Null(unwaited.Error);
        Assert.True(claimed.CompletedInBatch < unwaited.CompletedInBatch);
        Assert.True(db.Wal.MaxBatchesWaited <= db.Wal.MaxInFlight + 1);
    }
}
