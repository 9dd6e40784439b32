using Persistence.Testing;

namespace Persistence.Generators.Tests.Runtime;

/// <summary>A note: a collection without expiring documents, with a unique index.</summary>
[Collection("notes")]
public partial class Note
{
    [PrimaryKey]
    public long Id { get; init; }

    [Index(Unique = true)]
    public required string Code { get; set; }
}

/// <summary>
/// Lookups without a transaction on a collection without expiry never read the clock (a clock read is about 5% of a
/// point lookup); a transaction the caller opens still takes its time when it begins.
/// </summary>
public sealed class ClockReadTests
{
    private readonly CountingClock _clock = new();

    [Fact]
    public void Lookups_without_a_transaction_on_a_collection_without_expiry_do_not_read_the_clock()
    {
        using var db = Database.OpenInMemory(new DatabaseOptions { TimeProvider = _clock });
        var notes = new NoteCollection(db);
        notes.Insert(new Note { Id = 1, Code = "a" });

        var before = _clock.Reads;
        Assert.Equal("a", notes.Get(1)?.Code);
        Assert.Null(notes.Get(2));
        Assert.Equal(1, notes.ByCode.Get("a")?.Id);
        Assert.True(notes.Contains(1));
        Assert.Equal(1, notes.Count());

        Assert.Equal(before, _clock.Reads);
    }

    [Fact]
    public void A_transaction_the_caller_begins_takes_its_time_when_it_begins()
    {
        using var db = Database.OpenInMemory(new DatabaseOptions { TimeProvider = _clock });
        var begun = _clock.GetUtcNow();
        using var read = db.BeginRead();
        _clock.Time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(begun, read.SnapshotTime);
        Assert.Equal(begun, read.SnapshotTime);
    }

    [Fact]
    public void Lookups_without_a_transaction_on_an_expiring_collection_see_the_current_time()
    {
        using var db = Database.OpenInMemory(new DatabaseOptions { TimeProvider = _clock });
        var badges = new BadgeCollection(db);
        badges.Insert(new Badge { Id = 1, Code = "x", Serial = "a", ExpiresAt = _clock.GetUtcNow().AddSeconds(1) });
        Assert.NotNull(badges.Get(1));
        Assert.NotNull(badges.ByCode.Get("x"));

        _clock.Time.Advance(TimeSpan.FromSeconds(1));
        var before = _clock.Reads;
        Assert.Null(badges.Get(1));
        Assert.Null(badges.ByCode.Get("x"));
        Assert.Equal(0, badges.Count());
        Assert.True(_clock.Reads > before, "an expiring collection's lookup must read the clock");
    }

    private sealed class CountingClock : TimeProvider
    {
        private int _reads;

        public FakeTimeProvider Time { get; } = new();

        public int Reads => Volatile.Read(ref _reads);

        public override DateTimeOffset GetUtcNow()
        {
            Interlocked.Increment(ref _reads);
            return Time.GetUtcNow();
        }

        public override long GetTimestamp() => Time.GetTimestamp();

        public override long TimestampFrequency => Time.TimestampFrequency;
    }
}
