using System.Buffers.Binary;

namespace Persistence.Testing;

/// <summary>
/// Several threads commit concurrently (group commit, durable and buffered) while background checkpoints run with tiny
/// thresholds; power fails at a chosen storage operation. Each commit writes its own keys (never overwritten), so after
/// recovery every commit must be entirely present or entirely absent, and every acknowledged durable commit present.
/// </summary>
public static class ConcurrentCrashScenario
{
    private const string Path = "/concurrent/test.db";

    public static DatabaseOptions Options() => new()
    {
        PageSize = 4096,
        PageCacheBytes = 32 * 4096, // dirty threshold of 8 pages: background checkpoints all the time
        WalSegmentBytes = 64 << 10,
        CheckpointWalBytes = 1 << 20,
        BufferedFlushDelay = TimeSpan.FromMilliseconds(1),
        LogSpillBytes = 1, // every finished log chunk of a large transaction goes through a spill file
    };

    public static CrashOutcome Execute(int seed, long crashAt, CrashMode mode, int threads = 4, int commitsPerThread = 40)
    {
        var fs = new SimulatedFileSystem { CrashAtOperation = crashAt };
        var acknowledged = new bool[threads, commitsPerThread];
        var durable = new bool[threads, commitsPerThread];
        var sizes = new int[threads, commitsPerThread];
        Database? db = null;
        try
        {
            db = Database.Open(Path, Options(), fs);
            var ks = db.Write(tx => tx.CreateKeyspace("k"));
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                var random = new Random((seed * 31) + t);
                try
                {
                    for (var c = 0; c < commitsPerThread; c++)
                    {
                        var count = random.Next(1, 30);
                        var isDurable = random.Next(3) != 0;
                        sizes[t, c] = count;
                        durable[t, c] = isDurable;
                        using var tx = db.BeginWrite(isDurable ? Durability.Durable : Durability.Buffered);
                        for (var i = 0; i < count; i++)
                        {
                            tx.Put(ks, Key(t, c, i), Value(t, c, i, random.Next(10) == 0 ? 3000 : 40));
                        }

                        tx.Commit();
                        acknowledged[t, c] = true;
                    }
                }
                catch (Exception ex) when (ex is PersistenceException or IOException)
                {
                    // The power failed: this thread stops.
                }
            })).ToList();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());
        }
        catch (Exception ex) when (ex is PersistenceException or IOException)
        {
            // Failed while opening or creating the keyspace.
        }
        finally
        {
            try
            {
                db?.Dispose();
            }
            catch (Exception ex) when (ex is PersistenceException or IOException)
            {
            }
        }

        return Verify(fs.AfterCrash(mode, new Random(seed + (int)crashAt)), acknowledged, durable, sizes);
    }

    private static CrashOutcome Verify(SimulatedFileSystem image, bool[,] acknowledged, bool[,] durable, int[,] sizes)
    {
        using var db = Database.Open(Path, Options(), image);
        var lost = false;
        var partial = false;
        var details = new List<string>();
        var recovered = 0;
        using (var read = db.BeginRead())
        {
            if (read.TryGetKeyspace("k", out var ks))
            {
                for (var t = 0; t < acknowledged.GetLength(0); t++)
                {
                    for (var c = 0; c < acknowledged.GetLength(1); c++)
                    {
                        var present = Enumerable.Range(0, Math.Max(sizes[t, c], 1)).Count(i => read.Get(ks, Key(t, c, i)) is { } v && v.AsSpan(0, 12).SequenceEqual(Value(t, c, i, 12)));
                        if (present > 0 && present < sizes[t, c])
                        {
                            partial = true;
                            details.Add($"thread {t} commit {c}: {present} of {sizes[t, c]} keys");
                        }

                        if (acknowledged[t, c] && durable[t, c] && present == 0)
                        {
                            lost = true;
                            details.Add($"thread {t} commit {c}: acknowledged durable commit lost");
                        }

                        recovered += present > 0 ? 1 : 0;
                    }
                }
            }
            else if (Enumerable.Range(0, acknowledged.GetLength(0)).Any(t => acknowledged[t, 0]))
            {
                lost = true;
                details.Add("the keyspace itself is missing");
            }
        }

        var report = db.CheckConsistency();
        if (!report.IsConsistent)
        {
            details.Add("checker: " + report);
        }

        return new CrashOutcome(acknowledged.Cast<bool>().Count(a => a), recovered, lost, partial, !report.IsConsistent, string.Join("; ", details.Take(5)));
    }

    private static byte[] Key(int thread, int commit, int item)
    {
        var key = new byte[6];
        key[0] = (byte)thread;
        BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(1), (ushort)commit);
        BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(3), (ushort)item);
        key[5] = 0xAA;
        return key;
    }

    private static byte[] Value(int thread, int commit, int item, int length)
    {
        var value = new byte[length];
        BinaryPrimitives.WriteInt32LittleEndian(value, thread);
        BinaryPrimitives.WriteInt32LittleEndian(value.AsSpan(4), commit);
        BinaryPrimitives.WriteInt32LittleEndian(value.AsSpan(8), item);
        return value;
    }
}
