using Persistence.Testing;
using Persistence.Transactions;

namespace Persistence.Tests.Regressions;

/// <summary>
/// A write transaction past its first few hundred writes changes its own pages in place, and what it reads (a
/// cursor's key, a <see cref="Transaction.TryGet"/> value) points into those pages. Passing such a span straight back
/// to <see cref="WriteTransaction.Put"/> or <see cref="WriteTransaction.Delete"/> used to store whatever the bytes
/// became once the put compacted, split or evened out the very page they lay in: keys and values changed silently.
/// </summary>
public sealed class SpansIntoOwnPagesTests
{
    [Fact]
    public void Puts_and_deletes_given_spans_read_in_the_same_transaction_store_what_the_spans_held()
    {
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs);
        db.Write(tx => tx.CreateKeyspace("k"));
        var random = new Random(3);
        var model = new SortedDictionary<byte[], byte[]>(ByteComparer.Instance);
        db.Write(tx =>
        {
            var ks = tx.GetKeyspace("k");
            for (var i = 0; i < 20_000; i++)
            {
                var key = RandomBytes(random, 4, 20);
                var value = RandomBytes(random, 0, 60);
                tx.Put(ks, key, value);
                model[key] = value;
            }

            // A value read here, stored under a new key.
            foreach (var key in model.Keys.Take(5000).ToList())
            {
                Assert.True(tx.TryGet(ks, key, out var value));
                byte[] copy = [.. key, 0xFF];
                model[copy] = value.ToArray();
                tx.Put(ks, copy, value);
            }

            // A cursor's key given a longer value, and every third one deleted through the cursor's key.
            using var cursor = tx.OpenCursor(ks, KeyRange.All);
            var n = 0;
            for (var ok = cursor.First(); ok && n < 6000; ok = cursor.Next(), n++)
            {
                if (n % 3 == 0)
                {
                    Assert.True(model.Remove(cursor.Key.ToArray()));
                    Assert.True(tx.Delete(ks, cursor.Key));
                    continue;
                }

                var value = RandomBytes(random, cursor.Value.Length + 7, cursor.Value.Length + 8);
                model[cursor.Key.ToArray()] = value;
                tx.Put(ks, cursor.Key, value);
            }
        });

        db = TestDatabases.CloseCheckAndReopen(db, fs);
        using (var read = db.BeginRead())
        {
            var actual = read.Scan(read.GetKeyspace("k")).ToList();
            Assert.Equal(model.Count, actual.Count);
            var i = 0;
            foreach (var (key, value) in model)
            {
                Assert.True(actual[i].Key.AsSpan().SequenceEqual(key), $"key {i} differs");
                Assert.True(actual[i].Value.AsSpan().SequenceEqual(value), $"the value of key {i} differs");
                i++;
            }
        }

        db.Dispose();
    }

    private static byte[] RandomBytes(Random random, int min, int max)
    {
        var bytes = new byte[random.Next(min, max)];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Options under which nothing checkpoints: what a commit or recovery builds comes from the log alone.</summary>
    private static DatabaseOptions NoCheckpoint()
    {
        var o = TestDatabases.Small();
        o.CheckpointWalBytes = 1L << 40;
        o.PageCacheBytes = 1L << 32;
        o.CheckpointInterval = TimeSpan.FromDays(1);
        return o;
    }

    private static void AssertModel(Database db, string name, SortedDictionary<byte[], byte[]> model)
    {
        using var read = db.BeginRead();
        var actual = read.Scan(read.GetKeyspace(name)).ToList();
        Assert.Equal(model.Count, actual.Count);
        var i = 0;
        foreach (var (key, value) in model)
        {
            Assert.True(actual[i].Key.AsSpan().SequenceEqual(key), $"key {i} differs");
            Assert.True(actual[i].Value.AsSpan().SequenceEqual(value), $"the value of key {i} {Convert.ToHexString(key)} differs:\n expected {Convert.ToHexString(value)}\n actual   {Convert.ToHexString(actual[i].Value)}");
            i++;
        }
    }

    /// <summary>Commits <paramref name="count"/> random pairs into a new keyspace "k" and the model.</summary>
    private static void Load(Database db, Random random, SortedDictionary<byte[], byte[]> model, int count, (int Min, int Max) keyBytes, int maxValueBytes) =>
        db.Write(tx =>
        {
            var ks = tx.CreateKeyspace("k");
            for (var i = 0; i < count; i++)
            {
                var key = RandomBytes(random, keyBytes.Min, keyBytes.Max);
                var value = RandomBytes(random, 0, maxValueBytes);
                tx.Put(ks, key, value);
                model[key] = value;
            }
        });

    /// <summary>Disposes <paramref name="db"/> and checks what a copy of its files taken before recovers from its log alone.</summary>
    private static void AssertRecovered(SimulatedFileSystem fs, Database db, params (string Name, SortedDictionary<byte[], byte[]> Model)[] keyspaces)
    {
        var image = fs.Clone();
        db.Dispose();
        using var recovered = TestDatabases.Open(image, NoCheckpoint());
        foreach (var (name, model) in keyspaces)
        {
            AssertModel(recovered, name, model);
        }
    }

    /// <summary>The work of the regression test, plus values around and above MaxInlineValue, and puts of a value into its own key.</summary>
    private static void SpanWork(WriteTransaction tx, Keyspace ks, Keyspace other, SortedDictionary<byte[], byte[]> model, SortedDictionary<byte[], byte[]> otherModel, Random random)
    {
        for (var i = 0; i < 6000; i++)
        {
            var key = RandomBytes(random, 4, 20);
            var value = (i % 50) switch
            {
                0 => RandomBytes(random, 1000, 1030), // around MaxInlineValue (1016 with 4 KiB pages)
                1 => RandomBytes(random, 1017, 5000), // large
                _ => RandomBytes(random, 0, 120),
            };
            tx.Put(ks, key, value);
            model[key] = value;
        }

        // Same key, own value (replace with the span of the cell being replaced), and a grown copy under a new key.
        foreach (var key in model.Keys.Take(3000).ToList())
        {
            var expected = model[key];
            Assert.True(tx.TryGet(ks, key, out var value));
            Assert.True(value.SequenceEqual(expected));
            tx.Put(ks, key, value);
            byte[] copy = [.. key, 0xFE];
            model[copy] = expected;
            Assert.True(tx.TryGet(ks, key, out value));
            tx.Put(ks, copy, value);
            // Into another keyspace.
            Assert.True(tx.TryGet(ks, key, out value));
            otherModel[key] = value.ToArray();
            tx.Put(other, key, value);
        }

        using var cursor = tx.OpenCursor(ks, KeyRange.All);
        var n = 0;
        for (var ok = cursor.Last(); ok && n < 4000; ok = cursor.Previous(), n++)
        {
            switch (n % 4)
            {
                case 0:
                    Assert.True(model.Remove(cursor.Key.ToArray()));
                    Assert.True(tx.Delete(ks, cursor.Key));
                    break;
                case 1:
                    model[cursor.Key.ToArray()] = cursor.Value.ToArray();
                    tx.Put(ks, cursor.Key, cursor.Value);
                    break;
                case 2:
                    // The value under a shorter, new key (lands in the same or a neighbouring leaf).
                    var k = cursor.Key[..^1].ToArray();
                    model[k] = cursor.Value.ToArray();
                    tx.Put(ks, k, cursor.Value);
                    break;
                default:
                    // The key given as value.
                    model[cursor.Key.ToArray()] = cursor.Key.ToArray();
                    tx.Put(ks, cursor.Key, cursor.Key);
                    break;
            }
        }
    }

    /// <summary>The same spans, with values around and above the inline limit, checked in the tree the commit adopts and in the log alone (recovery with no checkpoint since).</summary>
    [Fact]
    public void Adopted_commit_and_wal_replay_hold_what_the_spans_held()
    {
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs, NoCheckpoint());
        db.Write(tx => { tx.CreateKeyspace("k"); tx.CreateKeyspace("o"); });
        var model = new SortedDictionary<byte[], byte[]>(ByteComparer.Instance);
        var other = new SortedDictionary<byte[], byte[]>(ByteComparer.Instance);
        var random = new Random(5);
        using (var tx = db.BeginWrite(Durability.Durable))
        {
            SpanWork(tx, tx.GetKeyspace("k"), tx.GetKeyspace("o"), model, other, random);
            tx.Commit();
        }

        AssertModel(db, "k", model);
        AssertModel(db, "o", other);

        // The WAL alone (no checkpoint since): recovery replays the log.
        AssertRecovered(fs, db, ("k", model), ("o", other));
    }

    /// <summary>A commit rebuilt from its log, because another one landed first, holds what the spans held.</summary>
    [Fact]
    public void Replayed_commit_holds_what_the_spans_held()
    {
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs, NoCheckpoint());
        db.Write(tx => { tx.CreateKeyspace("k"); tx.CreateKeyspace("o"); tx.CreateKeyspace("z"); });
        var model = new SortedDictionary<byte[], byte[]>(ByteComparer.Instance);
        var other = new SortedDictionary<byte[], byte[]>(ByteComparer.Instance);
        var random = new Random(7);
        using (var tx = db.BeginWrite(Durability.Durable))
        {
            SpanWork(tx, tx.GetKeyspace("k"), tx.GetKeyspace("o"), model, other, random);
            // Another commit first: this one is then rebuilt from its log, not adopted.
            db.Write(t => t.Put(t.GetKeyspace("z"), [1], [2]));
            tx.Commit();
        }

        AssertModel(db, "k", model);
        AssertModel(db, "o", other);
        db = TestDatabases.CloseCheckAndReopen(db, fs, NoCheckpoint());
        AssertModel(db, "k", model);
        db.Dispose();
    }

    /// <summary>Spans into the snapshot's pages and the pending writes, given to the puts around the promotion to a private tree.</summary>
    [Fact]
    public void Spans_read_before_promotion_given_to_the_put_that_promotes()
    {
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs, NoCheckpoint());
        var model = new SortedDictionary<byte[], byte[]>(ByteComparer.Instance);
        var random = new Random(11);
        Load(db, random, model, count: 3000, keyBytes: (4, 20), maxValueBytes: 200);

        for (var round = 0; round < 20; round++)
        {
            db.Write(tx =>
            {
                var ks = tx.GetKeyspace("k");
                var keys = model.Keys.ToList();
                // Up to just below promotion: overlay entries.
                for (var i = 0; i < WriteOverlay.PromoteAfter - round; i++)
                {
                    var key = keys[random.Next(keys.Count)];
                    var value = RandomBytes(random, 0, 300);
                    tx.Put(ks, key, value);
                    model[key] = value;
                }

                // Spans from the snapshot's pages and from the overlay, given to the puts that promote.
                using var cursor = tx.OpenCursor(ks, KeyRange.All);
                var n = 0;
                for (var ok = cursor.First(); ok && n < 300; ok = cursor.Next(), n++)
                {
                    byte[] k = [.. cursor.Key, (byte)round];
                    model[k] = cursor.Value.ToArray();
                    tx.Put(ks, k, cursor.Value);
                    model[cursor.Key.ToArray()] = cursor.Key.ToArray();
                    tx.Put(ks, cursor.Key, cursor.Key);
                }
            });
        }

        AssertModel(db, "k", model);
        AssertRecovered(fs, db, ("k", model));
    }

    /// <summary>Deletes given a cursor's key: a merge of leaves may overwrite the deleted cell's bytes before the delete is logged.</summary>
    [Fact]
    public void Deletes_given_cursor_keys_reach_the_log_intact()
    {
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs, NoCheckpoint());
        var model = new SortedDictionary<byte[], byte[]>(ByteComparer.Instance);
        var random = new Random(13);
        Load(db, random, model, count: 20_000, keyBytes: (8, 24), maxValueBytes: 40);

        using (var tx = db.BeginWrite(Durability.Durable))
        {
            var ks = tx.GetKeyspace("k");
            using var cursor = tx.OpenCursor(ks, KeyRange.All);
            var n = 0;
            for (var ok = cursor.First(); ok; ok = cursor.Next(), n++)
            {
                if (n % 10 == 9)
                {
                    continue; // keep one in ten
                }

                Assert.True(model.Remove(cursor.Key.ToArray()));
                Assert.True(tx.Delete(ks, cursor.Key));
            }

            // Another commit first: this one is then rebuilt from its log.
            db.Write(t => t.Put(t.GetKeyspace("k"), [0], [0]));
            model[[0]] = [0];
            tx.Commit();
        }

        AssertModel(db, "k", model);
        AssertRecovered(fs, db, ("k", model));
    }
}
