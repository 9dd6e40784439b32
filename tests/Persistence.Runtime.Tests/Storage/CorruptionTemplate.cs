using Persistence.Testing;

namespace Persistence.Tests.Storage;

/// <summary>
/// A closed database image on disk to be corrupted by <see cref="CorruptionTrial"/>: several keyspaces of small and
/// large (overflow) values, enough keys for branch pages, deletes, a dropped keyspace and three checkpoints, so both
/// meta slots are in use and freed pages were reused. With <c>uncheckpointedLog</c>, a dozen commits follow the last
/// checkpoint and the image is taken while they are only in the log (across several segments), as a crash leaves it.
/// </summary>
internal sealed class CorruptionTemplate
{
    private CorruptionTemplate(string image) => Image = image;

    /// <summary>The directory holding the image: <c>db</c> and <c>db-wal/</c>.</summary>
    public string Image { get; }

    /// <summary>The states a recovery may end in: the last checkpoint's, then after each later commit. The last is the committed state.</summary>
    public List<StateModel> History { get; } = [];

    /// <summary>Every key ever written to each keyspace (point reads probe deleted keys too).</summary>
    public Dictionary<string, HashSet<byte[]>> Probes { get; } = [];

    public long DataLength { get; private set; }

    public int PageSize => Options().PageSize;

    public string[] Segments { get; private set; } = [];

    /// <summary>Small pages and segments; checkpoints only when asked (a fake clock, thresholds out of reach).</summary>
    public static DatabaseOptions Options() => new()
    {
        PageSize = 4096,
        PageCacheBytes = 4096L * 4096,
        WalSegmentBytes = 64 << 10,
        CheckpointWalBytes = 1L << 40,
        CheckpointInterval = TimeSpan.FromDays(1),
        TimeProvider = new FakeTimeProvider(),
    };

    public static CorruptionTemplate Build(string directory, bool uncheckpointedLog)
    {
        var build = Path.Combine(directory, "build");
        Directory.CreateDirectory(build);
        var template = new CorruptionTemplate(Path.Combine(directory, "image"));
        var random = new Random(20261123);
        var model = new StateModel();
        var db = Database.Open(Path.Combine(build, "db"), Options());
        Commit(db, tx =>
        {
            foreach (var name in new[] { "small", "large", "mixed", "empty", "doomed" })
            {
                tx.CreateKeyspace(name);
                model.Keyspaces[name] = new SortedDictionary<byte[], byte[]>(ByteComparer.Instance);
            }

            for (var i = 0; i < 1200; i++)
            {
                template.Put(tx, model, "small", System.Text.Encoding.ASCII.GetBytes($"s{i:D5}"), Bytes(random, random.Next(0, 90)));
            }

            for (var i = 0; i < 40; i++)
            {
                template.Put(tx, model, "doomed", [(byte)i], Bytes(random, 40));
            }
        });
        for (var i = 0; i < 30; i++)
        {
            Commit(db, tx => template.Put(tx, model, "large", [(byte)'L', (byte)i], Bytes(random, random.Next(1100, 14000))));
        }

        Assert.True(db.Checkpoint());
        for (var round = 0; round < 3; round++)
        {
            for (var commit = 0; commit < 8; commit++)
            {
                Commit(db, tx => template.RandomChanges(tx, model, random, 40));
            }

            if (round == 1)
            {
                Commit(db, tx =>
                {
                    tx.DeleteKeyspace(tx.GetKeyspace("doomed"));
                    model.Keyspaces.Remove("doomed");
                });
            }

            Assert.True(db.Checkpoint());
        }

        if (uncheckpointedLog)
        {
            template.History.Add(model.Copy());
            for (var commit = 0; commit < 12; commit++)
            {
                Commit(db, tx =>
                {
                    if (commit == 5)
                    {
                        tx.CreateKeyspace("late");
                        model.Keyspaces["late"] = new SortedDictionary<byte[], byte[]>(ByteComparer.Instance);
                    }

                    template.RandomChanges(tx, model, random, 12);
                    template.Put(tx, model, "large", [(byte)'W', (byte)commit], Bytes(random, random.Next(3000, 9000)));
                });
                template.History.Add(model.Copy());
            }

            // Durable commits are in the segment files: a copy now is what a crash (or a power failure) leaves.
            template.CopyImage(build);
            db.Dispose();
        }
        else
        {
            db.Dispose();
            template.History.Add(model.Copy());
            template.CopyImage(build);
        }

        return template;
    }

    /// <summary>Copies the image (the data file and the log's segments, no lock file) into <paramref name="directory"/>.</summary>
    public void CopyTo(string directory) => Copy(Image, directory);

    private void CopyImage(string build)
    {
        Copy(build, Image);
        DataLength = new FileInfo(Path.Combine(Image, "db")).Length;
        Segments = [.. Directory.GetFiles(Path.Combine(Image, "db-wal")).Select(Path.GetFileName).Order()!];
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(Path.Combine(to, "db-wal"));
        File.Copy(Path.Combine(from, "db"), Path.Combine(to, "db"), overwrite: true);
        foreach (var segment in Directory.GetFiles(Path.Combine(from, "db-wal")))
        {
            File.Copy(segment, Path.Combine(to, "db-wal", Path.GetFileName(segment)), overwrite: true);
        }
    }

    private static void Commit(Database db, Action<WriteTransaction> work)
    {
        using var tx = db.BeginWrite();
        work(tx);
        tx.Commit();
    }

    private void RandomChanges(WriteTransaction tx, StateModel model, Random random, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var names = model.Keyspaces.Keys.Where(n => n != "empty").Order().ToArray();
            var name = names[random.Next(names.Length)];
            var entries = model.Keyspaces[name];
            if (entries.Count > 0 && random.Next(4) == 0)
            {
                var key = entries.Keys.ElementAt(random.Next(entries.Count));
                Assert.True(tx.Delete(tx.GetKeyspace(name), key));
                entries.Remove(key);
                continue;
            }

            var length = random.Next(5) switch
            {
                0 => random.Next(1016, 9000), // past the inline limit of 4 KiB pages: an overflow extent
                1 => random.Next(200, 1016),
                _ => random.Next(0, 120),
            };
            var key2 = name == "small" && entries.Count > 0 && random.Next(2) == 0
                ? entries.Keys.ElementAt(random.Next(entries.Count))
                : Bytes(random, random.Next(1, random.Next(4) == 0 ? 300 : 24));
            Put(tx, model, name, key2, Bytes(random, length));
        }
    }

    private void Put(WriteTransaction tx, StateModel model, string name, byte[] key, byte[] value)
    {
        tx.Put(tx.GetKeyspace(name), key, value);
        model.Keyspaces[name][key] = value;
        if (!Probes.TryGetValue(name, out var probes))
        {
            Probes[name] = probes = new HashSet<byte[]>(ByteComparer.Instance);
        }

        probes.Add(key);
    }

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
