using Persistence.Generators.Tests.Runtime.Calendar;

namespace Persistence.Generators.Tests.Runtime;

/// <summary>
/// DateOnly and TimeOnly members: stored by the generated serializer, indexed, queried, as a primary key, and read from
/// a document written when the member was a DateTime.
/// </summary>
public sealed class CalendarTypesTests : IDisposable
{
    private readonly Database _db = Database.OpenInMemory();

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Members_round_trip_edge_values_included()
    {
        var shifts = new ShiftCollection(_db);
        Shift[] written =
        [
            new() { Id = 1, Day = DateOnly.MinValue, Start = TimeOnly.MinValue, Until = null, End = null, Holidays = [] },
            new() { Id = 2, Day = DateOnly.MaxValue, Start = TimeOnly.MaxValue, Until = DateOnly.MaxValue, End = TimeOnly.MaxValue, Holidays = [DateOnly.MinValue, DateOnly.MaxValue] },
            new() { Id = 3, Day = new DateOnly(2026, 11, 24), Start = new TimeOnly(9, 30, 15, 250), Until = new DateOnly(2026, 12, 31), End = new TimeOnly(17, 0), Holidays = [new DateOnly(2026, 12, 25)] },
        ];
        shifts.InsertMany(written);
        foreach (var shift in written)
        {
            var read = shifts.Get(shift.Id)!;
            Assert.Equal((shift.Day, shift.Start, shift.Until, shift.End), (read.Day, read.Start, read.Until, read.End));
            Assert.Equal(shift.Holidays, read.Holidays);
        }
    }

    [Fact]
    public void Indexes_and_queries_order_and_find_by_date_and_time()
    {
        var shifts = new ShiftCollection(_db);
        var first = new DateOnly(2026, 1, 1);
        var all = Enumerable.Range(0, 40).Select(i => new Shift
        {
            Id = i,
            Day = first.AddDays((i * 7) % 20),
            Start = new TimeOnly((i * 5) % 24, i % 60),
            End = i % 3 == 0 ? null : new TimeOnly(23, i % 60),
        }).ToList();
        shifts.InsertMany(all);

        Assert.Equal(all.Where(s => s.Day == first.AddDays(7)).Select(s => s.Id).Order(), shifts.ByDay.Find(first.AddDays(7)).Select(s => s.Id));
        Assert.Equal(
            all.Where(s => s.Day >= first.AddDays(3) && s.Day < first.AddDays(9)).OrderBy(s => s.Day).ThenBy(s => s.Id).Select(s => s.Id),
            shifts.ByDay.Range(first.AddDays(3), first.AddDays(9)).Select(s => s.Id));
        Assert.Equal(all.OrderByDescending(s => s.Start).ThenByDescending(s => s.Id).Select(s => s.Id), shifts.ByStart.All(descending: true).Select(s => s.Id));
        Assert.Equal(all.Count(s => s.End is null), shifts.ByEnd.Count(null));

        var morning = shifts.Query().Where(s => s.Start.Between(new TimeOnly(6, 0), new TimeOnly(12, 0))).OrderBy(s => s.Start).ToList();
        Assert.Equal(
            all.Where(s => s.Start >= new TimeOnly(6, 0) && s.Start < new TimeOnly(12, 0)).OrderBy(s => s.Start).Select(s => s.Id),
            morning.Select(s => s.Id));
        Assert.Equal(all.Count(s => s.Day.Month == 1 && s.Day.Day >= 10), shifts.Query().Where(s => s.Day.AtLeast(new DateOnly(2026, 1, 10))).Count());
    }

    [Fact]
    public void A_DateOnly_primary_key_orders_documents_by_date()
    {
        var notes = new DayNoteCollection(_db);
        DateOnly[] days = [new(2026, 3, 1), new(1999, 12, 31), DateOnly.MaxValue, DateOnly.MinValue, new(2026, 2, 28)];
        notes.InsertMany(days.Select(d => new DayNote { Day = d, Text = d.ToString("O", System.Globalization.CultureInfo.InvariantCulture) }));
        Assert.Equal(days.Order(), notes.All().Select(n => n.Day));
        Assert.Equal("2026-02-28", notes.Get(new DateOnly(2026, 2, 28))!.Text);
        Assert.Equal([new DateOnly(2026, 2, 28), new DateOnly(2026, 3, 1)], notes.Range(new DateOnly(2000, 1, 1), new DateOnly(2026, 3, 2)).Select(n => n.Day));
    }

    [Fact]
    public void A_collection_whose_key_type_changed_is_refused_even_without_an_index()
    {
        new Calendar.V1.AppointmentCollection(_db).Insert(new Calendar.V1.Appointment { Id = 7, When = new DateTime(2026, 1, 2, 0, 0, 0, DateTimeKind.Utc) });
        var version = _db.GetStatistics().Version;

        var refused = Assert.Throws<DocumentException>(() => new Calendar.V3.AppointmentCollection(_db));

        Assert.Equal(ErrorCode.PrimaryKeyChanged, refused.Code);
        Assert.Equal("appointments", refused.Collection);
        Assert.Equal(version, _db.GetStatistics().Version); // nothing written
        Assert.Equal(new DateOnly(2026, 1, 2), new Calendar.V2.AppointmentCollection(_db).Get(7)!.When); // same key encoding: found
    }

    [Fact]
    public void A_database_written_before_the_key_was_recorded_records_it_and_then_refuses_a_change()
    {
        new Calendar.V1.AppointmentCollection(_db).Insert(new Calendar.V1.Appointment { Id = 7, When = DateTime.UnixEpoch });
        _db.Write(tx => tx.Delete(tx.GetKeyspace("appointments#$indexes"), "$key"u8.ToArray())); // as stop 27 left it

        Assert.NotNull(new Calendar.V2.AppointmentCollection(_db).Get(7)); // records the key's encoding again
        Assert.Throws<DocumentException>(() => new Calendar.V3.AppointmentCollection(_db));
    }

    [Fact]
    public void A_member_changed_from_DateTime_to_DateOnly_reads_the_stored_UTC_date()
    {
        new Calendar.V1.AppointmentCollection(_db).Insert(new Calendar.V1.Appointment { Id = 1, When = new DateTime(2026, 11, 24, 23, 30, 0, DateTimeKind.Utc) });
        var read = new Calendar.V2.AppointmentCollection(_db).Get(1)!;
        Assert.Equal(new DateOnly(2026, 11, 24), read.When);
    }
}
