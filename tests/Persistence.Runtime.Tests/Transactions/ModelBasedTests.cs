using Persistence.Testing;
using Xunit.Sdk;
using Model = System.Collections.Generic.Dictionary<string, System.Collections.Generic.SortedDictionary<byte[], byte[]>>;

namespace Persistence.Tests.Transactions;

/// <summary>
/// Random sequences of operations (puts, deletes, cursor scans in both directions, commit, rollback, keyspace create
/// and delete, checkpoint, close and reopen, power failure and reopen, snapshots held across commits) checked step by
/// step against an in-memory sorted model, in the manner of bbolt's simulation test. A failure names its seed; run
/// one seed with <c>PERSISTENCE_MODEL_SEED</c>.
/// </summary>
public sealed class ModelBasedTests
{
    private const string Path = "/model/test.db";

    public static TheoryData<int> Batches => [.. Enumerable.Range(0, 8)];

    [Theory]
    [MemberData(nameof(Batches))]
    public void Random_operation_sequences_match_a_sorted_model(int batch)
    {
        var only = Environment.GetEnvironmentVariable("PERSISTENCE_MODEL_SEED");
        var seeds = only is not null ? [int.Parse(only, System.Globalization.CultureInfo.InvariantCulture)] : Enumerable.Range(batch * 250, 250);
        foreach (var seed in seeds)
        {
            try
            {
                new Sequence(seed).Run();
            }
            catch (Exception ex)
            {
                throw new XunitException($"model sequence failed with seed {seed} (rerun with PERSISTENCE_MODEL_SEED={seed}): {ex}");
            }
        }
    }

    private sealed class Sequence(int seed)
    {
        private readonly Random _random = new(seed);
        private SimulatedFileSystem _fs = new();
        private readonly DatabaseOptions _options = TestDatabases.Small();
        private Model _committed = new(StringComparer.Ordinal);
        private Database _db = null!;

        public void Run()
        {
            _options.PageSize = _random.Next(2) == 0 ? 4096 : 8192;
            _db = Database.Open(Path, _options, _fs);
            var steps = _random.Next(20, 70);
            for (var step = 0; step < steps; step++)
            {
                var roll = _random.Next(100);
                if (roll < 45)
                {
                    WriteTransaction();
                }
                else if (roll < 65)
                {
                    ReadAndCompare();
                }
                else if (roll < 73)
                {
                    _db.Checkpoint();
                }
                else if (roll < 75)
                {
                    _db.Shrink();
                }
                else if (roll < 83)
                {
                    _db.Dispose();
                    _db = Database.Open(Path, _options, _fs);
                }
                else if (roll < 88)
                {
                    // Every commit was durable, so a power failure at any moment keeps all of them.
                    var image = _fs.AfterCrash(_random.Next(2) == 0 ? CrashMode.DropUnsynced : CrashMode.Reorder, _random);
                    _db.Dispose();
                    _fs = image;
                    _db = Database.Open(Path, _options, _fs);
                }
                else
                {
                    SnapshotIsStable();
                }
            }

            ReadAndCompare();
            var report = _db.CheckConsistency();
            Assert.True(report.IsConsistent, report.ToString());
            _db.Dispose();
        }

        private void WriteTransaction()
        {
            var model = Copy(_committed);
            using var tx = _db.BeginWrite();
            var operations = _random.Next(1, _random.Next(8) == 0 ? 300 : 25);
            for (var i = 0; i < operations; i++)
            {
                var roll = _random.Next(100);
                if (roll < 3 || model.Count == 0)
                {
                    var name = "ks" + _random.Next(5);
                    if (!model.ContainsKey(name))
                    {
                        tx.CreateKeyspace(name);
                        model[name] = new SortedDictionary<byte[], byte[]>(ByteComparer.Instance);
                    }

                    continue;
                }

                var keyspaceName = model.Keys.ElementAt(_random.Next(model.Count));
                var keyspace = tx.GetKeyspace(keyspaceName);
                var data = model[keyspaceName];
                if (roll < 5)
                {
                    tx.DeleteKeyspace(keyspace);
                    model.Remove(keyspaceName);
                }
                else if (roll < 60)
                {
                    var key = RandomKey();
                    var value = RandomValue();
                    tx.Put(keyspace, key, value);
                    data[key] = value;
                }
                else if (roll < 80)
                {
                    var key = data.Count > 0 && _random.Next(2) == 0 ? data.Keys.ElementAt(_random.Next(data.Count)) : RandomKey();
                    Assert.Equal(data.Remove(key), tx.Delete(keyspace, key));
                }
                else if (roll < 90)
                {
                    var key = RandomKey();
                    Assert.Equal(data.GetValueOrDefault(key), tx.Get(keyspace, key));
                }
                else
                {
                    CompareScan(tx, keyspace, data);
                }
            }

            if (_random.Next(5) == 0)
            {
                return; // disposed without commit: rolled back
            }

            tx.Commit();
            _committed = model;
        }

        private void ReadAndCompare()
        {
            using var read = _db.BeginRead();
            Assert.Equal(_committed.Keys.Order(StringComparer.Ordinal), read.GetKeyspaces().Select(k => k.Name));
            foreach (var (name, data) in _committed)
            {
                var keyspace = read.GetKeyspace(name);
                Assert.Equal(data.Count, read.Count(keyspace));
                CompareScan(read, keyspace, data);
                var scanned = read.Scan(keyspace).Select(p => p.Key).ToList();
                Assert.Equal(data.Select(p => p.Key), scanned, ByteComparer.Instance);
            }
        }

        /// <summary>A snapshot taken before a commit keeps showing the old state after it.</summary>
        private void SnapshotIsStable()
        {
            var before = Copy(_committed);
            using var read = _db.BeginRead();
            WriteTransaction();
            foreach (var (name, data) in before)
            {
                var keyspace = read.GetKeyspace(name);
                Assert.Equal(data.Count, read.Count(keyspace));
                var values = read.Scan(keyspace).Select(p => p.Value).ToList();
                Assert.Equal(data.Select(p => p.Value), values, ByteComparer.Instance);
            }
        }

        private void CompareScan(Transaction tx, Keyspace keyspace, SortedDictionary<byte[], byte[]> data)
        {
            var range = RandomRange();
            var expected = data.Where(p => range.Contains(p.Key)).ToList();
            var reverse = _random.Next(2) == 0;
            if (reverse)
            {
                expected.Reverse();
            }

            using var cursor = tx.OpenCursor(keyspace, range);
            var i = 0;
            for (var ok = reverse ? cursor.Last() : cursor.First(); ok; ok = reverse ? cursor.Previous() : cursor.Next(), i++)
            {
                Assert.True(i < expected.Count, "the cursor returned more keys than the model holds");
                Assert.Equal(expected[i].Key, cursor.Key.ToArray());
                Assert.Equal(expected[i].Value, cursor.Value.ToArray());
            }

            Assert.Equal(expected.Count, i);
            var probe = RandomKey();
            var atOrAfter = data.Keys.FirstOrDefault(k => range.Contains(k) && ByteComparer.Instance.Compare(k, probe) >= 0);
            Assert.Equal(atOrAfter is not null, cursor.Seek(probe));
            if (atOrAfter is not null)
            {
                Assert.Equal(atOrAfter, cursor.Key.ToArray());
            }

            var atOrBefore = data.Keys.LastOrDefault(k => range.Contains(k) && ByteComparer.Instance.Compare(k, probe) <= 0);
            Assert.Equal(atOrBefore is not null, cursor.SeekAtOrBefore(probe));
            if (atOrBefore is not null)
            {
                Assert.Equal(atOrBefore, cursor.Key.ToArray());
            }
        }

        private KeyRange RandomRange() => _random.Next(6) switch
        {
            0 => KeyRange.All,
            1 => KeyRange.Prefix(RandomKey()[..1]),
            2 => KeyRange.From(RandomKey(), _random.Next(2) == 0),
            3 => KeyRange.To(RandomKey(), _random.Next(2) == 0),
            _ => Between(),
        };

        private KeyRange Between()
        {
            var a = RandomKey();
            var b = RandomKey();
            if (ByteComparer.Instance.Compare(a, b) > 0)
            {
                (a, b) = (b, a);
            }

            return KeyRange.Between(a, b, _random.Next(2) == 0, _random.Next(2) == 0);
        }

        private byte[] RandomKey()
        {
            var length = _random.Next(30) == 0 ? _random.Next(1, (_options.PageSize / 8) + 1) : _random.Next(1, 5);
            var key = new byte[length];
            for (var i = 0; i < length; i++)
            {
                key[i] = (byte)_random.Next(0, 5);
            }

            return key;
        }

        private byte[] RandomValue()
        {
            var length = _random.Next(25) switch
            {
                0 => _random.Next(_options.PageSize / 4, _options.PageSize * 3),
                1 => 0,
                _ => _random.Next(1, 120),
            };
            var value = new byte[length];
            _random.NextBytes(value);
            return value;
        }

        private static Model Copy(Model model)
        {
            var copy = new Model(StringComparer.Ordinal);
            foreach (var (name, data) in model)
            {
                copy[name] = new SortedDictionary<byte[], byte[]>(data, ByteComparer.Instance);
            }

            return copy;
        }
    }
}
