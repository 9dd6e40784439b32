using Persistence.Testing;
using static Persistence.Tests.CheckedValues;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Storage;

/// <summary>
/// Recycling under stress (written by a second-opinion review of it): written-node recycling, child-array pooling and inherited heads under a tiny page cache (constant
/// eviction and Unlink), frequent checkpoints, deletes (merges, root collapse), large values, promoted transactions,
/// keyspace drops and concurrent readers, with poisoned recycled buffers.
/// </summary>
public sealed class RecycleStressTests
{
    private const int Keys = 3000;
    private static readonly RetryPolicy Retry = new() { MaxAttempts = 1000 };

    [Theory]
    [InlineData(1, 16)]
    [InlineData(2, 16)]
    [InlineData(3, 64)]
    public async Task Everything_at_once_with_a_tiny_cache(int seed, int cachePages)
    {
        var fs = new SimulatedFileSystem();
        var options = Small();
        options.PageCacheBytes = cachePages * 4096;
        options.DefaultDurability = Durability.Buffered;
        using var db = TestDatabases.Open(fs, options);
        var (ks, big) = db.Write(tx =>
        {
            var k = tx.CreateKeyspace("k");
            var b = tx.CreateKeyspace("big");
            for (var i = 0; i < Keys; i++)
            {
                tx.Put(k, Key(i), Value(i, 0));
                if (i % 10 == 0)
                {
                    tx.Put(b, Key(i), BigValue(i, 0));
                }
            }

            return (k, b);
        });
        db.Checkpoint();
        var failures = new List<string>();
        void Fail(string message)
        {
            lock (failures)
            {
                if (failures.Count < 50)
                {
                    failures.Add(message);
                }
            }
        }

        var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 2).Select(w => Dedicated(() =>
        {
            try
            {
                var random = new Random((seed * 10) + w);
                for (var round = 1; round <= 250; round++)
                {
                    var kind = random.Next(10);
                    db.Write(tx =>
                    {
                        var n = kind == 0 ? 200 + random.Next(200) : 1 + random.Next(20);
                        for (var op = 0; op < n; op++)
                        {
                            var i = random.Next(Keys);
                            switch (random.Next(4))
                            {
                                case 0:
                                    tx.Delete(ks, Key(i));
                                    break;
                                case 1:
                                    tx.Put(big, Key(i), BigValue(i, round));
                                    break;
                                default:
                                    tx.Put(ks, Key(i), Value(i, round));
                                    break;
                            }
                        }
                    }, Retry);

                    if (w == 0 && round % 25 == 0)
                    {
                        db.Write(tx =>
                        {
                            var tmp = tx.CreateKeyspace($"tmp{round}");
                            for (var i = 0; i < 800; i++)
                            {
                                tx.Put(tmp, Key(i), Value(i, round));
                            }
                        }, Retry);
                        db.Checkpoint();
                        db.Write(tx => tx.DeleteKeyspace(tx.GetKeyspace($"tmp{round}")), Retry);
                    }

                    if (w == 1 && round % 60 == 0)
                    {
                        // Delete a whole range (merges, underfull branches), then put it back.
                        var start = random.Next(Keys - 600);
                        db.Write(tx =>
                        {
                            for (var i = start; i < start + 600; i++)
                            {
                                tx.Delete(ks, Key(i));
                            }
                        }, Retry);
                        db.Write(tx =>
                        {
                            for (var i = start; i < start + 600; i++)
                            {
                                tx.Put(ks, Key(i), Value(i, round));
                            }
                        }, Retry);
                    }
                }
            }
            catch (Exception ex)
            {
                Fail($"writer {w}: {ex}");
            }
        })).ToArray();
        var checkpointer = Dedicated(() =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    db.Checkpoint();
                    Thread.Sleep(2);
                }
            }
            catch (Exception ex)
            {
                Fail($"checkpointer: {ex}");
            }
        });
        var readers = Enumerable.Range(0, 2).Select(r => Dedicated(() =>
        {
            var random = new Random((seed * 100) + r);
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    using var tx = db.BeginRead();
                    long count = 0;
                    var previous = -1;
                    foreach (var (key, value) in tx.Scan(ks))
                    {
                        var i = KeyOf(key);
                        if (i <= previous || Round(i, value) < 0)
                        {
                            Fail($"scan k: key {i} after {previous}, value {Convert.ToHexString(value)}");
                        }

                        previous = i;
                        count++;
                    }

                    if (count != tx.Count(ks))
                    {
                        Fail($"scan k saw {count} keys, count says {tx.Count(ks)}");
                    }

                    previous = -1;
                    foreach (var (key, value) in tx.Scan(big, reverse: random.Next(2) == 0))
                    {
                        var i = KeyOf(key);
                        if (!IsBigValue(i, value))
                        {
                            Fail($"scan big: key {i}");
                        }
                    }

                    for (var probe = 0; probe < 300; probe++)
                    {
                        var i = random.Next(Keys);
                        if (tx.TryGet(ks, Key(i), out var value) && Round(i, value) < 0)
                        {
                            Fail($"get {i}");
                        }
                    }
                }
            }
            catch (Exception ex)
            {
                Fail($"reader {r}: {ex}");
            }
        })).ToArray();
        await Task.WhenAll(writers);
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        await checkpointer;
        Assert.True(failures.Count == 0, string.Join("\n----\n", failures));
        db.Shrink();
        using var reopened = CloseCheckAndReopen(db, fs, options);
    }

    private static bool IsBigValue(int i, ReadOnlySpan<byte> value) => BigRound(i, value) >= 0;
}
