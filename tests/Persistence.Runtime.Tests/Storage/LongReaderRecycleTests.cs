using System.Buffers.Binary;
using System.Diagnostics;
using Persistence.Testing;
using static Persistence.Tests.CheckedValues;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Storage;

/// <summary>
/// Recycling behind pins (<c>VersionChain.RecycleBehindPins</c>) under stress (it also caught a truncation that cut pages
/// a long reader still read, <see cref="ShrinkTests"/>): several long readers per thread, opened and closed at random
/// times, stay open across many commits and checkpoints while writers (small, multi-key, promoted, slow ones replayed on
/// a newer version, keyspace creations and drops) and a checkpointer (with an occasional shrink) run. Recycled buffers are poisoned (<see cref="PoisonRecycledPages"/>). Every long reader records its snapshot when
/// it opens (checking the writers' invariant: each writer's keys sum to its total) and checks, again and again while it
/// stays open and once more before it closes, that it still sees exactly that.
/// </summary>
public sealed class LongReaderRecycleTests
{
    private const int Keys = 2400;
    private const int Writers = 3;
    private const int ReaderThreads = 4;
    private static readonly RetryPolicy Retry = new() { MaxAttempts = 1000 };

    [Theory]
    [InlineData(1, 24, false)]
    [InlineData(2, 64, true)]
    public async Task Long_readers_see_exactly_their_snapshot_while_buffers_are_recycled_behind_them(int seed, int cachePages, bool inMemory)
    {
        var fs = new SimulatedFileSystem();
        var options = Small();
        options.PageCacheBytes = cachePages * 4096;
        options.DefaultDurability = Durability.Buffered;
        using var db = inMemory ? Database.OpenInMemory() : TestDatabases.Open(fs, options);
        var models = new int[Writers][];
        var bigModels = new int[Writers][];
        var (ks, big, meta) = db.Write(tx =>
        {
            var k = tx.CreateKeyspace("k");
            var b = tx.CreateKeyspace("big");
            var m = tx.CreateKeyspace("meta");
            for (var w = 0; w < Writers; w++)
            {
                models[w] = new int[Keys];
                bigModels[w] = new int[Keys];
            }

            var totals = new long[Writers];
            for (var i = 0; i < Keys; i++)
            {
                tx.Put(k, Key(i), Value(i, 1));
                models[i % Writers][i] = 1;
                totals[i % Writers]++;
                if (i % 8 == 0)
                {
                    tx.Put(b, Key(i), BigValue(i, 1));
                    bigModels[i % Writers][i] = 1;
                }
            }

            for (var w = 0; w < Writers; w++)
            {
                tx.Put(m, Key(w), Total(totals[w]));
            }

            return (k, b, m);
        });
        if (!inMemory)
        {
            db.Checkpoint();
        }

        var pool = db.Source.Pages;
        var reusedBefore = pool.Reused;
        var failures = new List<string>();
        void Fail(string message)
        {
            lock (failures)
            {
                if (failures.Count < 30)
                {
                    failures.Add(message);
                }
            }
        }

        var stop = new CancellationTokenSource();
        long maxSpan = 0, longReaders = 0, verifications = 0, commits = 0;
        // The writers go on past 4.5 s until three readers have stayed open across 20 commits: on a loaded machine a
        // run of fixed length may see too few commits behind any reader. Only a writer stuck for a minute fails it.
        var run = RunFor(TimeSpan.FromSeconds(4.5), () => Interlocked.Read(ref longReaders) >= 3);
        bool Writing() => failures.Count == 0 && !run.Stop();

        var writers = Enumerable.Range(0, Writers).Select(w => Dedicated(() =>
        {
            var random = new Random((seed * 10) + w);
            var model = models[w];
            var bigModel = bigModels[w];
            var total = model.Sum(r => (long)r);
            var round = 1;
            try
            {
                while (Writing())
                {
                    round++;
                    var kind = random.Next(20);
                    var changes = new Dictionary<int, int>();
                    var bigChanges = new Dictionary<int, int>();
                    var n = kind switch
                    {
                        0 or 1 => 150 + random.Next(250), // promoted: a private tree, adopted or replayed
                        2 or 3 => 2 + random.Next(60), // slow: committed after others (replayed on a newer version)
                        _ => 1 + random.Next(12),
                    };
                    for (var op = 0; op < n; op++)
                    {
                        var i = (random.Next(Keys / Writers) * Writers) + w;
                        var r = random.Next(5);
                        changes[i] = r == 0 ? 0 : round;
                        if (r == 1 || (r == 0 && random.Next(2) == 0))
                        {
                            bigChanges[i] = r == 0 ? 0 : round;
                        }
                    }

                    var newTotal = total + changes.Sum(c => (long)c.Value - model[c.Key]);
                    var slow = kind is 2 or 3;
                    db.Write(tx =>
                    {
                        var half = 0;
                        foreach (var (i, r) in changes)
                        {
                            if (slow && half++ == changes.Count / 2)
                            {
                                // The snapshot stays pinned (and its nodes reachable from the private overlay or tree)
                                // while the other writers commit.
                                Thread.Sleep(1 + random.Next(4));
                                if (tx.Get(meta, Key(w)) is not { } seen || ReadTotal(seen) != total)
                                {
                                    Fail($"writer {w}: its own total changed under its snapshot");
                                }
                            }

                            if (r == 0)
                            {
                                tx.Delete(ks, Key(i));
                            }
                            else
                            {
                                tx.Put(ks, Key(i), Value(i, r));
                            }
                        }

                        foreach (var (i, r) in bigChanges)
                        {
                            if (r == 0)
                            {
                                tx.Delete(big, Key(i));
                            }
                            else
                            {
                                tx.Put(big, Key(i), BigValue(i, r));
                            }
                        }

                        tx.Put(meta, Key(w), Total(newTotal));
                    }, Retry);
                    Interlocked.Increment(ref commits);
                    foreach (var (i, r) in changes)
                    {
                        model[i] = r;
                    }

                    foreach (var (i, r) in bigChanges)
                    {
                        bigModel[i] = r;
                    }

                    total = newTotal;

                    if (w == 0 && round % 40 == 0)
                    {
                        // A keyspace that long readers may see, dropped while they still read it.
                        var name = $"tmp{round}";
                        db.Write(tx =>
                        {
                            var tmp = tx.CreateKeyspace(name);
                            for (var i = 0; i < 600; i++)
                            {
                                tx.Put(tmp, Key(i), Value(i, round));
                            }
                        }, Retry);
                        Thread.Sleep(random.Next(20));
                        db.Write(tx => tx.DeleteKeyspace(tx.GetKeyspace(name)), Retry);
                    }
                }
            }
            catch (Exception ex)
            {
                Fail($"writer {w}: {ex}");
            }
        })).ToArray();

        var checkpointer = inMemory ? Task.CompletedTask : Dedicated(() =>
        {
            var random = new Random(seed * 1000);
            try
            {
                var runs = 0;
                while (!stop.IsCancellationRequested)
                {
                    db.Checkpoint();
                    if (++runs % 10 == 0)
                    {
                        db.Shrink();
                    }

                    Thread.Sleep(random.Next(4));
                }
            }
            catch (Exception ex)
            {
                Fail($"checkpointer: {ex}");
            }
        });

        var readers = Enumerable.Range(0, ReaderThreads).Select(t => Dedicated(() =>
        {
            var random = new Random((seed * 100) + t);
            var open = new List<LongReader>();
            try
            {
                while (!stop.IsCancellationRequested && failures.Count == 0)
                {
                    var action = random.Next(10);
                    if (open.Count == 0 || (open.Count < 3 && action < 3))
                    {
                        var tx = db.BeginRead();
                        // One reader in three also waits for 20 commits behind it, however long they take.
                        var reader = new LongReader(tx, TimeSpan.FromMilliseconds(random.Next(5, 1500)), random.Next(3) == 0 ? 20 : 0);
                        reader.Record(ks, big, meta, Fail);
                        open.Add(reader);
                        continue;
                    }

                    var chosen = open[random.Next(open.Count)];
                    var span = db.Versions.Visible.Number - chosen.Transaction.SnapshotVersion;
                    if (chosen.Expired(span))
                    {
                        chosen.Verify(random, full: true, Fail);
                        InterlockedMax(ref maxSpan, span);
                        if (span >= 20)
                        {
                            Interlocked.Increment(ref longReaders);
                        }

                        chosen.Transaction.Dispose();
                        open.Remove(chosen);
                        continue;
                    }

                    chosen.Verify(random, full: action < 5, Fail);
                    Interlocked.Increment(ref verifications);
                    if (action == 9)
                    {
                        Thread.Sleep(random.Next(3));
                    }
                }

                foreach (var reader in open)
                {
                    reader.Verify(random, full: true, Fail);
                    reader.Transaction.Dispose();
                }
            }
            catch (Exception ex)
            {
                Fail($"reader thread {t}: {ex}");
                foreach (var reader in open)
                {
                    reader.Transaction.Dispose();
                }
            }
        })).ToArray();

        await Task.WhenAll(writers);
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        await checkpointer;
        Assert.True(failures.Count == 0, $"{verifications} verifications, longest reader {maxSpan} commits:\n" + string.Join("\n----\n", failures));
        Assert.True(
            longReaders >= 3,
            $"only {longReaders} readers stayed open across 20 commits or more (longest {maxSpan}) in {run}, {commits} commits");
        Assert.True(pool.Reused > reusedBefore, "no page buffer was recycled during the run");

        void CheckFinal(Database database)
        {
            using var tx = database.BeginRead();
            var k = tx.GetKeyspace("k");
            var b = tx.GetKeyspace("big");
            for (var i = 0; i < Keys; i++)
            {
                var expected = models[i % Writers][i];
                var found = tx.TryGet(k, Key(i), out var value);
                Assert.True(found == (expected != 0), $"key {i}: present {found}, expected round {expected}");
                if (found)
                {
                    Assert.Equal(expected, Round(i, value));
                }

                var expectedBig = bigModels[i % Writers][i];
                var bigValue = tx.Get(b, Key(i));
                Assert.True((bigValue is not null) == (expectedBig != 0), $"big key {i}: expected round {expectedBig}");
                if (bigValue is not null)
                {
                    Assert.True(bigValue.AsSpan().SequenceEqual(BigValue(i, expectedBig)), $"big key {i}: wrong bytes");
                }
            }
        }

        CheckFinal(db);
        if (!inMemory)
        {
            using var reopened = CloseCheckAndReopen(db, fs, options);
            CheckFinal(reopened);
        }
        else
        {
            AssertConsistent(db);
        }
    }

    /// <summary>A read transaction kept open, with what it saw when it opened.</summary>
    private sealed class LongReader(ReadTransaction transaction, TimeSpan holdFor, long holdForCommits)
    {
        private readonly Stopwatch _age = Stopwatch.StartNew();
        private readonly Dictionary<int, int> _rounds = [];
        private readonly Dictionary<int, int> _bigRounds = [];
        private readonly Dictionary<string, Dictionary<int, int>> _tmp = [];
        private readonly long[] _totals = new long[Writers];
        private Keyspace _ks = null!, _big = null!, _meta = null!;

        public ReadTransaction Transaction { get; } = transaction;

        /// <summary>Whether the reader has been open long enough, <paramref name="span"/> commits behind it.</summary>
        public bool Expired(long span) => _age.Elapsed >= holdFor && span >= holdForCommits;

        /// <summary>Scans everything once, checking values and the writers' totals, and remembers it.</summary>
        public void Record(Keyspace ks, Keyspace big, Keyspace meta, Action<string> fail)
        {
            (_ks, _big, _meta) = (ks, big, meta);
            var v = Transaction.SnapshotVersion;
            var sums = new long[Writers];
            foreach (var (key, value) in Transaction.Scan(ks))
            {
                var i = KeyOf(key);
                var round = Round(i, value);
                if (round <= 0)
                {
                    fail($"v{v} record: key {i} has {Convert.ToHexString(value)}");
                }

                _rounds[i] = round;
                sums[i % Writers] += round;
            }

            foreach (var (key, value) in Transaction.Scan(big))
            {
                var i = KeyOf(key);
                var round = BigRound(i, value);
                if (round <= 0)
                {
                    fail($"v{v} record: big key {i} is not a big value");
                }

                _bigRounds[i] = round;
            }

            for (var w = 0; w < Writers; w++)
            {
                _totals[w] = Transaction.Get(meta, Key(w)) is { } total ? ReadTotal(total) : -1;
                if (_totals[w] != sums[w])
                {
                    fail($"v{v} record: writer {w}'s keys sum to {sums[w]}, its total says {_totals[w]} (not atomic)");
                }
            }

            if (_rounds.Count != Transaction.Count(ks))
            {
                fail($"v{v} record: scan saw {_rounds.Count} keys, count says {Transaction.Count(ks)}");
            }

            foreach (var keyspace in Transaction.GetKeyspaces())
            {
                if (!keyspace.Name.StartsWith("tmp", StringComparison.Ordinal))
                {
                    continue;
                }

                var round = int.Parse(keyspace.Name.AsSpan(3));
                var seen = new Dictionary<int, int>();
                foreach (var (key, value) in Transaction.Scan(keyspace))
                {
                    var i = KeyOf(key);
                    seen[i] = Round(i, value);
                    if (seen[i] != round)
                    {
                        fail($"v{v} record: {keyspace.Name} key {i} has {Convert.ToHexString(value)}");
                    }
                }

                if (seen.Count != 600)
                {
                    fail($"v{v} record: {keyspace.Name} holds {seen.Count} keys, not 600");
                }

                _tmp[keyspace.Name] = seen;
            }
        }

        /// <summary>Checks that the snapshot still shows exactly what <see cref="Record"/> saw.</summary>
        public void Verify(Random random, bool full, Action<string> fail)
        {
            var v = Transaction.SnapshotVersion;
            var age = _age.ElapsedMilliseconds;
            if (!full)
            {
                for (var probe = 0; probe < 200; probe++)
                {
                    var i = random.Next(Keys);
                    var found = Transaction.TryGet(_ks, Key(i), out var value);
                    var expected = _rounds.GetValueOrDefault(i);
                    if (found != (expected != 0) || (found && Round(i, value) != expected))
                    {
                        fail($"v{v} after {age} ms: get {i} found {found} ({(found ? Convert.ToHexString(value) : "")}), expected round {expected}");
                        return;
                    }
                }

                for (var probe = 0; probe < 20; probe++)
                {
                    var i = random.Next(Keys / 8) * 8;
                    var value = Transaction.Get(_big, Key(i));
                    var expected = _bigRounds.GetValueOrDefault(i);
                    if ((value is not null) != (expected != 0) || (value is not null && BigRound(i, value) != expected))
                    {
                        fail($"v{v} after {age} ms: big get {i}, expected round {expected}");
                        return;
                    }
                }

                return;
            }

            var reverse = random.Next(2) == 0;
            var count = 0;
            var previous = reverse ? int.MaxValue : -1;
            foreach (var (key, value) in Transaction.Scan(_ks, reverse: reverse))
            {
                var i = KeyOf(key);
                if (reverse ? i >= previous : i <= previous)
                {
                    fail($"v{v} after {age} ms: scan out of order, {i} after {previous}");
                    return;
                }

                previous = i;
                count++;
                if (Round(i, value) is var round && round != _rounds.GetValueOrDefault(i))
                {
                    fail($"v{v} after {age} ms: key {i} shows round {round} ({Convert.ToHexString(value)}), recorded {_rounds.GetValueOrDefault(i)}");
                    return;
                }
            }

            if (count != _rounds.Count || Transaction.Count(_ks) != _rounds.Count)
            {
                fail($"v{v} after {age} ms: scan saw {count} keys, count says {Transaction.Count(_ks)}, recorded {_rounds.Count}");
            }

            count = 0;
            foreach (var (key, value) in Transaction.Scan(_big, reverse: !reverse))
            {
                var i = KeyOf(key);
                count++;
                if (BigRound(i, value) != _bigRounds.GetValueOrDefault(i))
                {
                    fail($"v{v} after {age} ms: big key {i} shows round {BigRound(i, value)}, recorded {_bigRounds.GetValueOrDefault(i)}");
                    return;
                }
            }

            if (count != _bigRounds.Count)
            {
                fail($"v{v} after {age} ms: big scan saw {count} keys, recorded {_bigRounds.Count}");
            }

            for (var w = 0; w < Writers; w++)
            {
                var total = Transaction.Get(_meta, Key(w)) is { } bytes ? ReadTotal(bytes) : -1;
                if (total != _totals[w])
                {
                    fail($"v{v} after {age} ms: writer {w}'s total shows {total}, recorded {_totals[w]}");
                }
            }

            foreach (var (name, recorded) in _tmp)
            {
                if (!Transaction.TryGetKeyspace(name, out var keyspace))
                {
                    fail($"v{v} after {age} ms: keyspace {name} vanished from the snapshot");
                    continue;
                }

                count = 0;
                foreach (var (key, value) in Transaction.Scan(keyspace, reverse: reverse))
                {
                    var i = KeyOf(key);
                    count++;
                    if (Round(i, value) != recorded.GetValueOrDefault(i, -2))
                    {
                        fail($"v{v} after {age} ms: dropped keyspace {name} key {i} shows {Convert.ToHexString(value)}");
                        return;
                    }
                }

                if (count != recorded.Count)
                {
                    fail($"v{v} after {age} ms: dropped keyspace {name} scan saw {count} keys, recorded {recorded.Count}");
                }
            }
        }
    }

    private static byte[] Total(long total)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, total);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(8), ~total);
        return bytes;
    }

    private static long ReadTotal(ReadOnlySpan<byte> bytes) =>
        bytes.Length == 16 && BinaryPrimitives.ReadInt64BigEndian(bytes) is var total && BinaryPrimitives.ReadInt64BigEndian(bytes[8..]) == ~total
            ? total
            : long.MinValue;

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
