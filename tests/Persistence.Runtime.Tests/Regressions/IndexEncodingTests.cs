using System.Text;
using Persistence.Collections;
using Persistence.Serialization;
using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests.Regressions;

/// <summary>
/// An index's recorded definition did not hold its members' types: a member whose type changed under the same name
/// (int Level to double Level) kept the entries of the old key encoding, and lookups through the new accessor, which
/// encode the new way, silently missed every document stored before. Definitions now hold the key encoding of each
/// member and of the primary key (which every entry holds, the expiry index's too), in version 2; records of version 1
/// are not trusted.
/// </summary>
public sealed class IndexEncodingTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_member_whose_type_changes_under_the_same_name_has_its_index_built_again()
    {
        using var db = Database.OpenInMemory();
        Insert(new Players<int>(db, Levels.Int32), 30);

        var players = new Players<double>(db, Levels.Double);

        Assert.Equal(new long[] { 2, 5, 8, 11, 14, 17, 20, 23, 26, 29 }, players.FindByLevel(2.0).Select(p => p.Id));
        Assert.Equal(30, players.Count());
        Assert.Empty(players.CheckConsistency());
        Assert.Equal("2|multiple|Level:Double|Int64", Definition(db, "Level"));
    }

    [Fact]
    public void A_member_whose_type_changes_to_one_of_the_same_key_encoding_keeps_its_index()
    {
        using var db = Database.OpenInMemory();
        Insert(new Players<int>(db, Levels.Int32), 30);
        Assert.Equal("2|multiple|Level:Int64|Int64", Definition(db, "Level")); // an int is written as the long of equal value
        var version = db.GetStatistics().Version;

        var players = new Players<long>(db, Levels.Int64);

        Assert.Equal(version, db.GetStatistics().Version); // nothing written: the entries were trusted, not built again
        Assert.Equal(10, players.FindByLevel(2L).Count());
        Assert.Empty(players.CheckConsistency());
    }

    [Fact]
    public void An_index_recorded_by_the_previous_release_is_built_again()
    {
        using var db = Database.OpenInMemory();
        Insert(new Players<int>(db, Levels.Int32), 30);

        // The type changed while the previous release, whose record said nothing of it, trusted the old entries.
        db.Write(tx => tx.Put(tx.GetKeyspace("players#$indexes"), "Level"u8, "1|multiple|Level"u8));
        var players = new Players<double>(db, Levels.Double);

        Assert.Equal(10, players.FindByLevel(2.0).Count());
        Assert.Empty(players.CheckConsistency());
        Assert.Equal("2|multiple|Level:Double|Int64", Definition(db, "Level"));
    }

    [Fact]
    public async Task An_expiry_index_recorded_by_the_previous_release_is_built_again()
    {
        var time = new FakeTimeProvider(Start);
        var options = TestDatabases.Quiet();
        options.TimeProvider = time;
        options.Ttl.RunCollectorInBackground = false;
        var fs = new SimulatedFileSystem();
        using (var db = TestDatabases.Open(fs, options))
        {
            new UserCollection(db).InsertMany(Enumerable.Range(0, 10).Select(i =>
                new User { Id = i, Email = $"u{i}@example.com", Age = i, ExpiresAt = Start + TimeSpan.FromSeconds(i) }));

            // What the previous release recorded, over an entry that is missing: say, one of a primary key encoded as
            // the key's type before it changed, which no lookup of the new encoding finds.
            db.Write(tx =>
            {
                var expiry = tx.GetKeyspace("users#$expiry");
                tx.Delete(expiry, tx.Scan(expiry).First().Key);
                tx.Put(tx.GetKeyspace("users#$indexes"), "$expiry"u8, "1|expiry"u8);
            });
        }

        using (var db = TestDatabases.Open(fs, options))
        {
            var users = new UserCollection(db);

            Assert.Empty(users.CheckConsistency());
            Assert.Equal("2|expiry|Int64|member:ExpiresAt", Definition(db, "$expiry", "users"));
            time.Advance(TimeSpan.FromSeconds(20));
            Assert.Equal(10, await db.CollectExpiredAsync());
            Assert.Equal(0, users.Count());
        }
    }

    private static void Insert<TLevel>(Players<TLevel> players, int count) =>
        players.InsertMany(Enumerable.Range(0, count).Select(i => new Player<TLevel> { Id = i, Level = Levels.Of<TLevel>(i % 3) }));

    private static string Definition(Database db, string record, string collection = "players")
    {
        using var tx = db.BeginRead();
        return Encoding.UTF8.GetString(tx.Get(tx.GetKeyspace(collection + "#$indexes"), Encoding.UTF8.GetBytes(record))!);
    }

    /// <summary>A document of the "players" collection, whose Level is of the type a version of the application declares.</summary>
    private sealed class Player<TLevel>
    {
        public long Id { get; init; }

        public TLevel Level { get; set; } = default!;
    }

    private delegate void LevelWriter<in TLevel>(ref MessagePackWriter writer, TLevel value);

    private delegate TLevel LevelReader<out TLevel>(ref MessagePackReader reader);

    private delegate void KeyPartSkipper(ref KeyReader reader);

    /// <summary>
    /// How a type of Level is stored, as the generator would emit it: in documents, as an index key part, and the name of
    /// that key part's encoding.
    /// </summary>
    private sealed record Level<TLevel>(string Encoding, LevelWriter<TLevel> Store, LevelReader<TLevel> Load, KeyPartWriter<TLevel> Key,
        KeyPartSkipper Skip);

    private static class Levels
    {
        public static readonly Level<int> Int32 = new("Int64", static (ref w, v) => w.Write(v), static (ref r) => r.ReadInt32(),
            static (ref w, v) => w.WriteInt32(v), static (ref r) => r.ReadInt32());

        public static readonly Level<long> Int64 = new("Int64", static (ref w, v) => w.Write(v), static (ref r) => r.ReadInt64(),
            static (ref w, v) => w.WriteInt64(v), static (ref r) => r.ReadInt64());

        public static readonly Level<double> Double = new("Double", static (ref w, v) => w.Write(v), static (ref r) => r.ReadDouble(),
            static (ref w, v) => w.WriteDouble(v), static (ref r) => r.ReadDouble());

        public static TLevel Of<TLevel>(int value) => (TLevel)Convert.ChangeType(value, typeof(TLevel), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>"players" as a version of the application declares it: keyed by a long Id, indexed by its Level.</summary>
    private sealed class Players<TLevel>(Database database, Level<TLevel> level)
        : Collection<Player<TLevel>, long>(database, new PlayerSchema(level))
    {
        public IEnumerable<Player<TLevel>> FindByLevel(TLevel value) => new ByLevelIndex(this, level).Find(value);

        private sealed class ByLevelIndex(Players<TLevel> players, Level<TLevel> level) : IndexAccessor<Player<TLevel>, long>(players, 0)
        {
            public IEnumerable<Player<TLevel>> Find(TLevel value) => Scan(KeyRange.Prefix(Encode(value, level.Key)), false, null);
        }

        private sealed class PlayerSchema(Level<TLevel> level)
            : DocumentSchema<Player<TLevel>, long>("players", [new LevelIndex(level)], ["Int64"])
        {
            public override long GetKey(Player<TLevel> document) => document.Id;

            public override void WriteKey(ref KeyWriter writer, long key) => writer.WriteInt64(key);

            public override long ReadKey(ref KeyReader reader) => reader.ReadInt64();

            public override void Serialize(ref MessagePackWriter writer, Player<TLevel> document)
            {
                writer.WriteMapHeader(1);
                writer.WriteStringUtf8("Level"u8);
                level.Store(ref writer, document.Level);
            }

            public override Player<TLevel> Deserialize(ref MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey)
            {
                var key = new KeyReader(primaryKey);
                var document = new Player<TLevel> { Id = key.ReadInt64() };
                var count = reader.ReadMapHeader();
                for (var i = 0; i < count; i++)
                {
                    if (reader.ReadStringSpan().SequenceEqual("Level"u8))
                    {
                        document.Level = level.Load(ref reader);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }

                return document;
            }
        }

        private sealed class LevelIndex(Level<TLevel> level) : IndexSchema<Player<TLevel>>("Level", false, ["Level"], [level.Encoding])
        {
            public override bool WriteKey(ref KeyWriter writer, Player<TLevel> document)
            {
                level.Key(ref writer, document.Level);
                return true;
            }

            public override void SkipKey(ref KeyReader reader) => level.Skip(ref reader);
        }
    }
}
