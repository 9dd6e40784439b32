namespace Persistence.Tests.Transactions;

/// <summary>A write transaction's cursor merges its pending writes over its snapshot; random walks that change direction agree with a model.</summary>
public sealed class OverlayCursorTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_large_transaction_moves_to_its_own_tree_and_is_adopted_at_commit(bool deletesOnly)
    {
        using var db = Database.OpenInMemory();
        var ks = db.Write(tx =>
        {
            var k = tx.CreateKeyspace("k");
            for (var i = 0; i < 2000; i++)
            {
                tx.Put(k, BitConverter.GetBytes(i), BitConverter.GetBytes(i));
            }

            return k;
        });
        var replayCopies = db.Sequencer.NodeCopies;
        using (var tx = db.BeginWrite())
        {
            for (var i = 0; i < 1000; i++)
            {
                if (deletesOnly || i % 2 == 0)
                {
                    Assert.True(tx.Delete(ks, BitConverter.GetBytes(2 * i)));
                }
                else
                {
                    tx.Put(ks, BitConverter.GetBytes(2 * i), [1]);
                }
            }

            Assert.False(tx.UsesOverlay); // past the overlay's limit, deletions included
            tx.Commit();
        }

        // Nothing committed in between, so the commit adopted the private tree: nothing was re-applied (copied) under the commit lock.
        Assert.Equal(replayCopies, db.Sequencer.NodeCopies);
        using var read = db.BeginRead();
        Assert.Equal(deletesOnly ? 1000 : 1500, read.Count(ks));
        Assert.False(read.ContainsKey(ks, BitConverter.GetBytes(0)));
        Assert.True(read.ContainsKey(ks, BitConverter.GetBytes(1)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Random_walks_over_pending_writes_match_the_merged_model(int seed)
    {
        var random = new Random(seed);
        using var db = Database.OpenInMemory();
        var model = new SortedDictionary<byte[], byte[]>(ByteComparer.Instance);
        var ks = db.Write(tx =>
        {
            var k = tx.CreateKeyspace("k");
            for (var i = 0; i < 300; i++)
            {
                var key = new[] { (byte)random.Next(40), (byte)random.Next(4) };
                tx.Put(k, key, key);
                model[key] = key;
            }

            return k;
        });
        using var tx = db.BeginWrite();
        for (var i = 0; i < 60; i++)
        {
            var key = new[] { (byte)random.Next(40), (byte)random.Next(4) };
            if (random.Next(3) == 0)
            {
                Assert.Equal(model.Remove(key), tx.Delete(ks, key));
            }
            else
            {
                var value = new[] { (byte)i };
                tx.Put(ks, key, value);
                model[key] = value;
            }
        }

        var keys = model.Keys.ToList();
        using var cursor = tx.OpenCursor(ks);
        var position = -1;
        for (var step = 0; step < 2000; step++)
        {
            switch (random.Next(6))
            {
                case 0:
                    position = cursor.First() ? 0 : -1;
                    break;
                case 1:
                    position = cursor.Last() ? keys.Count - 1 : -1;
                    break;
                case 2:
                    {
                        var probe = new[] { (byte)random.Next(42), (byte)random.Next(5) };
                        position = keys.FindIndex(k => ByteComparer.Instance.Compare(k, probe) >= 0);
                        Assert.Equal(position >= 0, cursor.Seek(probe));
                        break;
                    }

                case 3:
                    {
                        var probe = new[] { (byte)random.Next(42), (byte)random.Next(5) };
                        position = keys.FindLastIndex(k => ByteComparer.Instance.Compare(k, probe) <= 0);
                        Assert.Equal(position >= 0, cursor.SeekAtOrBefore(probe));
                        break;
                    }

                case 4:
                    if (position >= 0)
                    {
                        position = position + 1 < keys.Count ? position + 1 : -1;
                        Assert.Equal(position >= 0, cursor.Next());
                    }

                    break;
                default:
                    if (position >= 0)
                    {
                        position--;
                        Assert.Equal(position >= 0, cursor.Previous());
                    }

                    break;
            }

            Assert.Equal(position >= 0, cursor.IsValid);
            if (position >= 0)
            {
                Assert.Equal(keys[position], cursor.Key.ToArray());
                Assert.Equal(model[keys[position]], cursor.Value.ToArray());
            }
        }

        Assert.Equal(model.Count, tx.Count(ks));
    }
}
