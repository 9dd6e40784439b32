using Persistence.Generators.Tests.Runtime.Calendar;

namespace Persistence.Generators.Tests.Runtime;

/// <summary>
/// Index lookups by a DateTimeOffset find what <see cref="DateTimeOffset.Equals(DateTimeOffset)"/> calls equal: the
/// same instant at any offset, as queries already did. The entries keep the offset, so documents read back with theirs.
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
        // In index order: the instant, then the offset (-05:00 before +02:00), then the primary key.
        Assert.Equal([2, 1], _meetings.ByStarts.Find(utc).Select(m => m.Id));
        Assert.Equal([2, 1], _meetings.ByStarts.Find(Nine.ToOffset(TimeSpan.FromHours(9))).Select(m => m.Id));
        Assert.Equal(2, _meetings.ByStarts.Count(utc));
        Assert.Equal([TimeSpan.FromHours(-5), Nine.Offset], _meetings.ByStarts.Find(utc).Select(m => m.Starts.Offset)); // the stored offsets come back
        Assert.Equal(_meetings.Query().Where(m => m.Starts.Is(utc)).Select(m => m.Id), _meetings.ByStarts.Find(utc).Select(m => m.Id));
    }

    [Fact]
    public void Range_bounds_are_instants()
    {
        // [09:00, 10:00) at +02:00, asked at UTC: both meetings at nine, whatever their offset, and not the one at ten.
        Assert.Equal([2, 1], _meetings.ByStarts.Range(Nine.ToUniversalTime(), Nine.AddHours(1).ToUniversalTime()).Select(m => m.Id));
        Assert.Equal([3], _meetings.ByStarts.Range(Nine.AddHours(1).ToOffset(TimeSpan.FromHours(-8)), Nine.AddHours(2)).Select(m => m.Id));
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
    }
}
