using Persistence.Generators.Tests.Golden.Bookings;
using Persistence.Generators.Tests.Runtime.Calendar;
using Persistence.Serialization;

namespace Persistence.Generators.Tests.Runtime;

/// <summary>
/// Primary keys hold a DateTime as the stored document reads it back (in UTC) and a DateTimeOffset as its instant:
/// one instant is one key whatever its Kind or offset, a document's key is the key of that document read back, and the
/// document keeps its offset. Local values are converted with the machine's zone, which these tests set away from UTC
/// (<see cref="AwayFromUtc"/>), so that a Local value is another instant's ticks and not only another Kind.
/// </summary>
[Collection(nameof(AwayFromUtc))]
public sealed class TemporalKeyTests : IDisposable
{
    private static readonly DateTime Ten = new(2026, 11, 24, 10, 0, 0);
    private static readonly DateTimeOffset Nine = new(2026, 11, 24, 9, 0, 0, TimeSpan.FromHours(2));
    private readonly IDisposable _zone = AwayFromUtc.Enter();
    private readonly Database _db = Database.OpenInMemory();

    public void Dispose()
    {
        _db.Dispose();
        _zone.Dispose();
    }

    [Theory]
    [InlineData(DateTimeKind.Local)]
    [InlineData(DateTimeKind.Unspecified)]
    public void A_DateTime_key_read_back_finds_updates_and_deletes_its_document(DateTimeKind kind)
    {
        var ticks = new TickCollection(_db);
        var at = DateTime.SpecifyKind(Ten, kind);
        ticks.Insert(new Tick { At = at, Sensor = "s", Value = 1 });

        var read = ticks.All().Single();
        Assert.Equal(DateTimeKind.Utc, read.At.Kind); // as the document holds any DateTime
        Assert.Equal(MessagePackWriter.StoredDateTime(at), read.At);

        read.Value = 2;
        Assert.False(ticks.Upsert(read)); // an update, not a second document
        Assert.Equal(2, ticks.Get(read.At)?.Value);
        Assert.Equal(2, ticks.Get(at)?.Value);
        Assert.Equal(1, ticks.Count());
        Assert.Empty(ticks.CheckConsistency());
        Assert.True(ticks.Delete(read.At));
        Assert.Equal(0, ticks.Count());
    }

    [Fact]
    public void One_instant_in_another_Kind_is_the_same_DateTime_key()
    {
        var ticks = new TickCollection(_db);
        var local = DateTime.SpecifyKind(Ten, DateTimeKind.Local);
        var unspecified = DateTime.SpecifyKind(Ten.AddDays(1), DateTimeKind.Unspecified);
        ticks.Insert(new Tick { At = local, Sensor = "local" });
        ticks.Insert(new Tick { At = unspecified, Sensor = "unspecified" });

        Assert.Equal("local", ticks.Get(local.ToUniversalTime())?.Sensor);
        Assert.Equal("unspecified", ticks.Get(DateTime.SpecifyKind(unspecified, DateTimeKind.Utc))?.Sensor); // taken as UTC, as the document takes it
        var duplicate = Assert.Throws<DocumentException>(() => ticks.Insert(new Tick { At = local.ToUniversalTime(), Sensor = "utc" }));
        Assert.Equal(ErrorCode.DuplicateKey, duplicate.Code);

        Assert.False(ticks.Upsert(new Tick { At = local.ToUniversalTime(), Sensor = "utc" }));
        Assert.False(ticks.Upsert(new Tick { At = DateTime.SpecifyKind(unspecified, DateTimeKind.Utc), Sensor = "utc too" }));
        Assert.Equal(["utc", "utc too"], ticks.All().Select(t => t.Sensor));
        Assert.Empty(ticks.CheckConsistency());
    }

    [Fact]
    public void A_DateTimeOffset_key_is_its_instant_and_the_document_keeps_its_offset()
    {
        var slots = new SlotCollection(_db);
        slots.Insert(new Slot { Starts = Nine, Room = "a", Seats = 4 });

        var utc = Nine.ToUniversalTime();
        Assert.Equal(Nine.Offset, slots.Get(utc)?.Starts.Offset);
        Assert.True(slots.Contains(Nine.ToOffset(TimeSpan.FromHours(-5))));

        var duplicate = Assert.Throws<DocumentException>(() => slots.Insert(new Slot { Starts = utc, Room = "b" }));
        Assert.Equal(ErrorCode.DuplicateKey, duplicate.Code);
        Assert.Null(slots.ByRoom.Get("b"));

        Assert.False(slots.Upsert(new Slot { Starts = Nine.ToOffset(TimeSpan.FromHours(-5)), Room = "a", Seats = 6 }));
        var updated = Assert.Single(slots.All());
        Assert.Equal((TimeSpan.FromHours(-5), 6), (updated.Starts.Offset, updated.Seats)); // the new offset, kept by the document
        Assert.Equal(Nine, updated.Starts);

        slots.Update(new Slot { Starts = utc, Room = "a", Seats = 8 });
        Assert.Equal((TimeSpan.Zero, 8), (slots.ByRoom.Get("a")?.Starts.Offset, slots.ByRoom.Get("a")?.Seats));
        Assert.Empty(slots.CheckConsistency());
        Assert.True(slots.Delete(utc));
        Assert.Equal(0, slots.Count());
    }

    [Fact]
    public void Ranges_and_queries_on_a_DateTimeOffset_key_bound_by_instant()
    {
        var slots = new SlotCollection(_db);
        slots.InsertMany(Enumerable.Range(0, 4).Select(i => new Slot
        {
            Starts = Nine.AddHours(i).ToOffset(TimeSpan.FromHours(i - 2)),
            Room = "r" + i,
        }));

        // [09:00, 11:00) at +02:00, asked at other offsets: the first two.
        Assert.Equal(["r0", "r1"], slots.Range(Nine.ToOffset(TimeSpan.FromHours(-8)), Nine.AddHours(2).ToUniversalTime()).Select(s => s.Room));
        Assert.Equal(["r1"], slots.Query().Where(s => s.Starts.Is(Nine.AddHours(1).ToUniversalTime())).Select(s => s.Room));
        Assert.Equal(["r2", "r3"], slots.Query().Where(s => s.Starts.AtLeast(Nine.AddHours(2).ToOffset(TimeSpan.FromHours(9)))).Select(s => s.Room));
        Assert.Equal(["r3", "r2", "r1", "r0"], slots.Query().OrderByDescending(s => s.Starts).Select(s => s.Room));
    }

    [Fact]
    public void A_composite_key_holds_each_part_as_stored()
    {
        var bookings = new BookingCollection(_db);
        var logged = DateTime.SpecifyKind(Ten, DateTimeKind.Local);
        bookings.Insert(new Booking { Starts = Nine, Logged = logged, Room = "a", Guest = "ada", Ticket = 1 });

        var key = new BookingKey(Nine.ToUniversalTime(), logged.ToUniversalTime(), "a");
        var read = bookings.Get(key)!;
        Assert.Equal((Nine.Offset, DateTimeKind.Utc), (read.Starts.Offset, read.Logged.Kind));
        Assert.Equal(read.Guest, bookings.Get(read.Starts, read.Logged, read.Room)?.Guest);

        var duplicate = Assert.Throws<DocumentException>(() => bookings.Insert(new Booking { Starts = key.Starts, Logged = key.Logged, Room = "a", Ticket = 2 }));
        Assert.Equal(ErrorCode.DuplicateKey, duplicate.Code);

        read.Guest = "grace";
        Assert.False(bookings.Upsert(read));
        Assert.False(bookings.Upsert(new Booking { Starts = Nine.ToOffset(TimeSpan.FromHours(-3)), Logged = key.Logged, Room = "a", Guest = "grace", Ticket = 1 }));
        Assert.Equal(1, bookings.Count());
        Assert.Equal(TimeSpan.FromHours(-3), bookings.ByTicket.Get(1)?.Starts.Offset);
        Assert.Equal(["a"], bookings.ByGuestStarts.Find("grace", Nine.ToUniversalTime()).Select(b => b.Room));
        Assert.Equal(["a"], bookings.Query().Where(b => b.Starts.Is(Nine)).Select(b => b.Room));
        Assert.Empty(bookings.CheckConsistency());

        Assert.True(bookings.Delete(Nine.ToOffset(TimeSpan.FromHours(5)), logged, "a"));
        Assert.Equal(0, bookings.Count());
        Assert.Empty(bookings.ByGuest.All());
    }

    [Fact]
    public void A_query_by_a_Local_DateTime_matches_what_its_key_finds()
    {
        var ticks = new TickCollection(_db);
        var local = DateTime.SpecifyKind(Ten, DateTimeKind.Local);
        ticks.Insert(new Tick { At = local, Sensor = "s" });

        // The document reads back in UTC; the field compares values as stored, as the key bounds them.
        Assert.Equal(["s"], ticks.Query().Where(t => t.At.Is(local)).Select(t => t.Sensor));
        Assert.Equal(["s"], ticks.Query().Where(t => t.At.Between(local, local)).Select(t => t.Sensor));
        Assert.Equal(["s"], ticks.Query().Where(t => t.At.Is(local.ToUniversalTime())).Select(t => t.Sensor));
        Assert.NotNull(ticks.Get(local));
    }
}
