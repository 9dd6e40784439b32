using Persistence.Testing;

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
}
