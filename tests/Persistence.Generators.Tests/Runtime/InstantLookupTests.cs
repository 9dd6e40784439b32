using Persistence.Generators.Tests.Runtime.Calendar;

namespace Persistence.Generators.Tests.Runtime;

/// <summary>
/// Indexes treat alike the DateTimeOffsets <see cref="DateTimeOffset.Equals(DateTimeOffset)"/> calls equal, the same
/// instant at any offset, as queries do: lookups find them, a unique index holds an instant once, and the entries of
/// one instant come in primary-key order. Entries hold the instant alone; documents read back with their offsets.
/// </summary>
public sealed class InstantLookupTests : IDisposable
{
    private static readonly DateTimeOffset Nine = new(2026, 11, 24, 9, 0, 0, TimeSpan.FromHours(2));
    private readonly Database _db = Database.OpenInMemory();
    private readonly MeetingCollection _meetings;

    public InstantLookupTests()
    {
        _meetings = new MeetingCollection(_db);
        _meetings.InsertMany(
        [
            new Meeting { Id = 1, Starts = Nine, Booked = Nine.AddDays(-1), Room = "a" },
            new Meeting { Id = 2, Starts = Nine.ToOffset(TimeSpan.FromHours(-5)), Booked = null, Room = "b" },
            new Meeting { Id = 3, Starts = Nine.AddHours(1), Booked = Nine.AddDays(-2), Room = "a" },
        ]);
    }

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Find_and_Count_match_the_instant_at_any_offset()
    {
        var utc = Nine.ToUniversalTime();
        // One instant's entries in primary-key order, whatever their offsets (+02:00, then -05:00).
        Assert.Equal([1, 2], _meetings.ByStarts.Find(utc).Select(m => m.Id));
        Assert.Equal([1, 2], _meetings.ByStarts.Find(Nine.ToOffset(TimeSpan.FromHours(9))).Select(m => m.Id));
        Assert.Equal(2, _meetings.ByStarts.Count(utc));
        Assert.Equal([Nine.Offset, TimeSpan.FromHours(-5)], _meetings.ByStarts.Find(utc).Select(m => m.Starts.Offset)); // the stored offsets come back
        Assert.Equal(_meetings.Query().Where(m => m.Starts.Is(utc)).Select(m => m.Id), _meetings.ByStarts.Find(utc).Select(m => m.Id));
    }

    [Fact]
    public void Range_bounds_are_instants()
    {
        // [09:00, 10:00) at +02:00, asked at UTC: both meetings at nine, whatever their offset, and not the one at ten.
        Assert.Equal([1, 2], _meetings.ByStarts.Range(Nine.ToUniversalTime(), Nine.AddHours(1).ToUniversalTime()).Select(m => m.Id));
        Assert.Equal([3], _meetings.ByStarts.Range(Nine.AddHours(1).ToOffset(TimeSpan.FromHours(-8)), Nine.AddHours(2)).Select(m => m.Id));

        // A query over the index: its bounds are instants too, at both ends, and ties come in primary-key order.
        var query = _meetings.Query().Where(m => m.Starts.Between(Nine.ToUniversalTime(), Nine.ToOffset(TimeSpan.FromHours(-5)))).OrderBy(m => m.Starts);
        Assert.Contains("index 'Starts'", query.Explain(), StringComparison.Ordinal);
        Assert.Equal([1, 2], query.Select(m => m.Id));
        Assert.Equal([1, 2, 3], _meetings.Query().Where(m => m.Starts.AtLeast(Nine.ToUniversalTime())).Select(m => m.Id));
        Assert.Equal([3], _meetings.Query().Where(m => m.Starts.GreaterThan(Nine.ToOffset(TimeSpan.FromHours(3)))).Select(m => m.Id));
    }

    [Fact]
    public void A_unique_and_a_composite_index_find_the_instant_at_any_offset()
    {
        Assert.Equal(1, _meetings.ByBooked.Get(Nine.AddDays(-1).ToUniversalTime())?.Id);
        Assert.True(_meetings.ByBooked.Contains(Nine.AddDays(-2).ToOffset(TimeSpan.FromHours(14))));
        Assert.Null(_meetings.ByBooked.Get(Nine));
        Assert.Equal([1], _meetings.ByRoomStarts.Find("a", Nine.ToUniversalTime()).Select(m => m.Id));
        Assert.Empty(_meetings.ByRoomStarts.Find("b", Nine.AddHours(1).ToUniversalTime()));
        Assert.Equal([1, 3], _meetings.ByRoomStarts.FindByPrefix("a").Select(m => m.Id));

        // The instant leading a composite key: looked up at another offset, by the whole key and by the prefix.
        Assert.Equal(2, _meetings.ByStartsRoom.Get(Nine.ToUniversalTime(), "b")?.Id);
        Assert.Equal([1, 2], _meetings.ByStartsRoom.FindByPrefix(Nine.ToOffset(TimeSpan.FromHours(-11))).Select(m => m.Id));
    }

    [Fact]
    public void An_index_whose_entries_kept_the_offset_is_rebuilt_once()
    {
        // As an earlier version left the Starts index: entries of the instant and the offset, recorded as such.
        _db.Write(tx =>
        {
            var starts = tx.GetKeyspace("meetings#Starts");
            foreach (var (key, _) in tx.Scan(starts).ToList())
            {
                tx.Delete(starts, key);
            }

            foreach (var meeting in _meetings.All())
            {
                var entry = new Persistence.Serialization.KeyWriter(new byte[64]);
                entry.WriteDateTimeOffset(meeting.Starts);
                entry.WriteInt64(meeting.Id);
                tx.Put(starts, entry.WrittenSpan.ToArray(), []);
                entry.Dispose();
            }

            tx.Put(tx.GetKeyspace("meetings#$indexes"), "Starts"u8.ToArray(), "2|multiple|Starts:DateTimeOffset|Int64"u8.ToArray());
        });

        var reopened = new MeetingCollection(_db);
        Assert.Empty(reopened.CheckConsistency());
        Assert.Equal([1, 2], reopened.ByStarts.Find(Nine.ToUniversalTime()).Select(m => m.Id));
        var version = _db.GetStatistics().Version;
        _ = new MeetingCollection(_db);
        Assert.Equal(version, _db.GetStatistics().Version); // once: the record says the instant now
    }

    [Fact]
    public void A_unique_index_built_over_one_instant_at_two_offsets_refuses_and_changes_nothing()
    {
        using var db = Database.OpenInMemory();
        new UnindexedMeetingCollection(db).InsertMany(
        [
            new UnindexedMeeting { Id = 1, Starts = Nine, Booked = Nine, Room = "a" },
            new UnindexedMeeting { Id = 2, Starts = Nine.AddHours(1), Booked = Nine.ToOffset(TimeSpan.FromHours(-5)), Room = "b" },
        ]);

        Assert.Throws<UniqueConstraintException>(() => new MeetingCollection(db));

        // No index was built (they build in one transaction), and the documents are as they were.
        using (var read = db.BeginRead())
        {
            Assert.All(["Starts", "Booked", "RoomStarts", "StartsRoom"], index =>
                Assert.True(!read.TryGetKeyspace("meetings#" + index, out var keyspace) || read.Count(keyspace) == 0, index));
        }

        var stored = new UnindexedMeetingCollection(db);
        Assert.Equal([Nine.Offset, TimeSpan.FromHours(-5)], stored.All().Select(m => m.Booked!.Value.Offset));
    }

    [Fact]
    public void A_unique_index_holds_an_instant_once_whatever_the_offset()
    {
        // Booked on the day before nine at +02:00 is meeting 1's; the same instant at -03:00 is the same value.
        var taken = Nine.AddDays(-1).ToOffset(TimeSpan.FromHours(-3));
        Assert.Throws<UniqueConstraintException>(() => _meetings.Insert(new Meeting { Id = 4, Starts = Nine.AddHours(5), Booked = taken, Room = "c" }));
        Assert.Null(_meetings.Get(4));

        // Also when the instant leads a composite key: (nine, "a") at UTC is meeting 1's.
        Assert.Throws<UniqueConstraintException>(() => _meetings.Insert(new Meeting { Id = 5, Starts = Nine.ToUniversalTime(), Room = "a" }));
        Assert.Null(_meetings.Get(5));
        Assert.Equal(3, _meetings.Count());

        // A document keeps its own value at another offset: its entry is its own, and it reads back with the new offset.
        var first = _meetings.Get(1)!;
        first.Booked = taken;
        _meetings.Update(first);
        Assert.Equal(TimeSpan.FromHours(-3), _meetings.ByBooked.Get(Nine.AddDays(-1))?.Booked?.Offset);
        Assert.Empty(_meetings.CheckConsistency());
    }
}
