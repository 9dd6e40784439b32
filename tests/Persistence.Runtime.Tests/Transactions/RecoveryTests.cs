using Persistence.Testing;
using Persistence.Transactions;
using Persistence.Wal;
using static Persistence.Tests.CheckedValues;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Transactions;

/// <summary>
/// Recovery replays a commit larger than <c>RecoveryHeldLogBytes</c> from a second read of its frames
/// (<see cref="StreamedFrames"/>), holding a few frames at a time rather than the whole commit's log.
/// </summary>
public sealed class RecoveryTests
{
    private const int Keys = 3000;

    [Theory]
    [InlineData(1L)] // every commit is read twice
    [InlineData(16L << 20)] // every commit is held while it is validated
    public void A_commit_larger_than_the_held_limit_replays_from_a_second_read_of_its_frames(long heldBytes)
    {
        var fs = new SimulatedFileSystem();
        var db = Open(fs, Quiet()); // 64 KiB segments: frames of about 16 KiB, and the large commit crosses segments
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Checkpoint();

        // One large commit (a value that spans several frames, a keyspace created and written, deletes of earlier
        // puts), then a small one after it.
        var big = new byte[100_000];
        new Random(3).NextBytes(big);
        db.Write(tx =>
        {
            for (var i = 0; i < Keys; i++)
            {
                tx.Put(ks, Key(i), Value(i, 1));
            }

            tx.Put(ks, Key(-1), big);
            var other = tx.CreateKeyspace("other");
            tx.Put(other, Key(7), Value(7, 9));
            for (var i = 0; i < Keys; i += 3)
            {
                tx.Delete(ks, Key(i));
            }
        });
        db.Write(tx => tx.Put(ks, Key(1), Value(1, 2)));

        var options = Quiet();
        options.RecoveryHeldLogBytes = heldBytes;
        using (var recovered = Database.Open(db.Path!, options, fs.AfterCrash(CrashMode.DropUnsynced, new Random(5))))
        {
            var result = recovered.Recovered!;
            Assert.Equal(2, result.Commits);
            if (heldBytes == 1)
            {
                // The 100 KB value spans seven frames; nothing else needs more than two at once.
                Assert.InRange(result.MostFramesHeld, 1, 9);
            }
            else
            {
                Assert.InRange(result.MostFramesHeld, 14, 18); // the large commit's, all 16 of them
            }

            AssertConsistent(recovered);
            using var read = recovered.BeginRead();
            var k = read.GetKeyspace("k");
            for (var i = 0; i < Keys; i++)
            {
                var value = read.Get(k, Key(i));
                if (i % 3 == 0)
                {
                    Assert.Null(value);
                }
                else
                {
                    Assert.Equal(i == 1 ? 2 : 1, Round(i, value));
                }
            }

            Assert.Equal(big, read.Get(k, Key(-1)));
            Assert.Equal(9, Round(7, read.Get(read.GetKeyspace("other"), Key(7))));
        }

        db.Dispose();
    }

    [Theory]
    [InlineData(1, 1L)] // every commit read twice
    [InlineData(2, 5000L)]
    [InlineData(3, 40_000L)] // values up to 70 KB: some commits held, some read twice
    [InlineData(4, long.MaxValue)]
    public void Random_commits_replay_the_same_whether_held_or_read_twice(int seed, long heldBytes)
    {
        var random = new Random(seed);
        var fs = new SimulatedFileSystem();
        var writing = Quiet();
        writing.BackgroundWork = false; // no checkpoint after the first: how many commits replay must not depend on timing
        var db = Open(fs, writing);
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Checkpoint();
        var model = new SortedDictionary<int, byte[]>();
        for (var commit = 0; commit < 60; commit++)
        {
            var changes = new List<(int Key, byte[]? Value)>();
            for (var op = random.Next(1, 400); op > 0; op--)
            {
                var value = random.Next(5) == 0 ? null : new byte[random.Next(10) == 0 ? random.Next(1, 70_000) : random.Next(0, 300)];
                if (value is not null)
                {
                    random.NextBytes(value);
                }

                changes.Add((random.Next(2000), value));
            }

            db.Write(tx =>
            {
                foreach (var (key, value) in changes)
                {
                    if (value is null)
                    {
                        tx.Delete(ks, Key(key));
                    }
                    else
                    {
                        tx.Put(ks, Key(key), value);
                    }
                }
            });
            foreach (var (key, value) in changes)
            {
                if (value is null)
                {
                    model.Remove(key);
                }
                else
                {
                    model[key] = value;
                }
            }
        }

        var options = Quiet();
        options.RecoveryHeldLogBytes = heldBytes;
        using (var recovered = Database.Open(db.Path!, options, fs.AfterCrash(CrashMode.DropUnsynced, new Random(seed))))
        {
            Assert.Equal(60, recovered.Recovered!.Commits);
            AssertConsistent(recovered);
            using var read = recovered.BeginRead();
            var k = read.GetKeyspace("k");
            Assert.Equal(model.Count, read.Count(k));
            foreach (var (key, value) in model)
            {
                Assert.Equal(value, read.Get(k, Key(key)));
            }
        }

        db.Dispose();
    }

    [Fact]
    public void Streamed_frames_refuse_a_frame_of_another_commit_and_a_released_frame()
    {
        var fs = new SimulatedFileSystem();
        using var db = Open(fs, Quiet());
        var ks = db.Write(tx => tx.CreateKeyspace("k"));
        db.Checkpoint();
        var start = db.Versions.Latest;
        db.Write(tx =>
        {
            for (var i = 0; i < 1000; i++)
            {
                tx.Put(ks, Key(i), Value(i, 1));
            }
        });
        var committed = db.Versions.Latest;
        Assert.True(committed.EndLsn - start.EndLsn > 30_000, "the commit should take several frames");

        using var segments = new WalSegments(fs, db.Path + "-wal", Small().WalSegmentBytes, _ => { });
        const int maxPayload = 16 << 10;

        // Read again as the commit it is: every frame comes back, and released ones may not be asked for again.
        var frames = new StreamedFrames(new WalReader(segments, start.EndLsn, start.EndChain, maxPayload), 2, committed.Number, segments.Directory);
        Assert.False(frames[1].IsEmpty);
        frames.Release(1);
        Assert.Throws<InvalidOperationException>(() => frames[0]);
        Assert.Equal(2, frames.MostHeld);

        // The same frames offered as another commit's: the log no longer says what the first pass read.
        var wrong = new StreamedFrames(new WalReader(segments, start.EndLsn, start.EndChain, maxPayload), 2, committed.Number + 1, segments.Directory);
        var error = Assert.Throws<CorruptionException>(() => wrong[0]);
        Assert.Equal(ErrorCode.Corruption, error.Code);
    }
}
