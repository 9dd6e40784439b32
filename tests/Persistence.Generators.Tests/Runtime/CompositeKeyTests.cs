using Persistence.Generators.Tests.Golden.Bookings;
using Persistence.Generators.Tests.Golden.Orders;
using Persistence.Serialization;
using Persistence.Testing;

namespace Persistence.Generators.Tests.Runtime;

/// <summary>Composite primary keys and composite indexes of a positional record, including prefix lookups and counts.</summary>
public sealed class CompositeKeyTests : IDisposable
{
    private static readonly DateTime s_day = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly Database _db = Database.OpenInMemory();
    private readonly OrderCollection _orders;
    private readonly List<Order> _all;

    public CompositeKeyTests()
    {
        _orders = new OrderCollection(_db);
        _all = [.. from customer in new[] { "b", "a", "c" }
                   from number in Enumerable.Range(1, 5)
                   select new Order(customer, number, (OrderStatus)(number % 3), s_day.AddHours(number * 7 % 5), number * 1.5m)
                   {
                       LastName = "L" + customer,
                       FirstName = number % 2 == 0 ? null : "F" + number,
                   }];
        _orders.InsertMany(_all);
    }

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Documents_are_ordered_and_found_by_the_composite_key()
    {
        Assert.Equal(_all.OrderBy(o => o.CustomerId, StringComparer.Ordinal).ThenBy(o => o.Number), _orders.All());
        Assert.Equal(_all.Single(o => o.CustomerId == "a" && o.Number == 3), _orders.Get("a", 3));
        Assert.Equal(_orders.Get(new OrderKey("a", 3)), _orders.Get("a", 3));
        Assert.True(_orders.Contains("c", 5));
        Assert.Null(_orders.Get("a", 6));
        Assert.True(_orders.Delete("a", 3));
        Assert.False(_orders.Delete("a", 3));
        Assert.False(_orders.Contains("a", 3));
        Assert.Equal(["a", "a", "a", "a"], _orders.Range(new OrderKey("a", 0), new OrderKey("b", 0)).Select(o => o.CustomerId));
    }

    [Fact]
    public void A_composite_index_serves_full_and_prefix_lookups()
    {
        foreach (var status in Enum.GetValues<OrderStatus>())
        {
            var expected = _all.Where(o => o.Status == status).OrderBy(o => o.PlacedAt).ThenBy(o => o.CustomerId, StringComparer.Ordinal).ThenBy(o => o.Number).ToList();
            Assert.Equal(expected, _orders.ByStatusPlaced.FindByPrefix(status));
            foreach (var placed in expected.Select(o => o.PlacedAt).Distinct())
            {
                Assert.Equal(expected.Where(o => o.PlacedAt == placed), _orders.ByStatusPlaced.Find(status, placed));
                Assert.Equal(expected.Count(o => o.PlacedAt == placed), _orders.ByStatusPlaced.Count(status, placed));
            }
        }

        Assert.Equal(_all.Where(o => o.Status != OrderStatus.Shipped).Count(), _orders.ByStatusPlaced.Range(OrderStatus.Open, OrderStatus.Shipped).Count());
        Assert.Equal(_all.Count, _orders.ByStatusPlaced.All(descending: true).Count());
        Assert.Equal(OrderStatus.Shipped, _orders.ByStatusPlaced.All(descending: true).First().Status);
    }

    [Fact]
    public void A_unique_composite_index_with_a_nullable_member_finds_and_enforces()
    {
        Assert.Equal(_orders.Get("b", 2), _orders.ByLastNameFirstNameNumber.Get("Lb", firstName: null, 2));
        Assert.Equal(_orders.Get("b", 3), _orders.ByLastNameFirstNameNumber.Get("Lb", "F3", 3));
        Assert.False(_orders.ByLastNameFirstNameNumber.Contains("Lb", "F3", 2));
        Assert.Equal(5, _orders.ByLastNameFirstNameNumber.FindByPrefix("Lc").Count());
        Assert.Equal([2, 4], _orders.ByLastNameFirstNameNumber.FindByPrefix("Lc", firstName: null).Select(o => o.Number));
        Assert.Throws<UniqueConstraintException>(() => _orders.Insert(new Order("z", 2, OrderStatus.Open, s_day, 0) { LastName = "Lc" }));
    }

    [Fact]
    public void A_composite_index_counts_by_each_prefix_what_it_finds_by_it()
    {
        foreach (var status in Enum.GetValues<OrderStatus>())
        {
            Assert.Equal(_all.Count(o => o.Status == status), _orders.ByStatusPlaced.CountByPrefix(status));
        }

        Assert.Equal(5, _orders.ByLastNameFirstNameNumber.CountByPrefix("Lc"));
        Assert.Equal(2, _orders.ByLastNameFirstNameNumber.CountByPrefix("Lc", firstName: null));
        Assert.Equal(1, _orders.ByLastNameFirstNameNumber.CountByPrefix("Lc", "F3"));
        Assert.Equal(0, _orders.ByLastNameFirstNameNumber.CountByPrefix("L")); // a whole value, not the start of a string
        Assert.Equal(0, _orders.ByLastNameFirstNameNumber.CountByPrefix("Lz"));
    }

    /// <summary>
    /// In a write transaction the counts include its uncommitted insert, update and delete, which nobody else sees; a read
    /// transaction counts its snapshot, not what was committed after it began.
    /// </summary>
    [Fact]
    public void CountByPrefix_counts_the_transactions_own_writes_and_a_snapshot_what_it_saw()
    {
        var open = _all.Count(o => o.Status == OrderStatus.Open);
        var paid = _all.Count(o => o.Status == OrderStatus.Paid);
        var shipped = _all.Count(o => o.Status == OrderStatus.Shipped);
        using var snapshot = _db.BeginRead();
        using (var tx = _db.BeginWrite())
        {
            _orders.Insert(new Order("d", 1, OrderStatus.Open, s_day, 1m) { LastName = "Ld" }, tx);
            _orders.Update(_all.First(o => o.Status == OrderStatus.Paid) with { Status = OrderStatus.Shipped }, tx);
            var openOrder = _all.First(o => o.Status == OrderStatus.Open);
            Assert.True(_orders.Delete(openOrder.CustomerId, openOrder.Number, tx));
            _orders.Delete("c", 5, tx); // shipped
            _orders.Insert(new Order("d", 2, OrderStatus.Open, s_day, 1m) { LastName = "Ld", FirstName = "Fd" }, tx);

            Assert.Equal(open + 1, _orders.ByStatusPlaced.CountByPrefix(OrderStatus.Open, tx));
            Assert.Equal(paid - 1, _orders.ByStatusPlaced.CountByPrefix(OrderStatus.Paid, tx));
            Assert.Equal(shipped, _orders.ByStatusPlaced.CountByPrefix(OrderStatus.Shipped, tx));
            Assert.Equal(2, _orders.ByLastNameFirstNameNumber.CountByPrefix("Ld", tx));
            Assert.Equal(1, _orders.ByLastNameFirstNameNumber.CountByPrefix("Ld", firstName: null, tx));
            Assert.Equal(open, _orders.ByStatusPlaced.CountByPrefix(OrderStatus.Open)); // outside it: the committed state
            Assert.Equal(0, _orders.ByLastNameFirstNameNumber.CountByPrefix("Ld"));
            tx.Commit();
        }

        Assert.Equal(open + 1, _orders.ByStatusPlaced.CountByPrefix(OrderStatus.Open));
        Assert.Equal(2, _orders.ByLastNameFirstNameNumber.CountByPrefix("Ld"));
        Assert.Equal(open, _orders.ByStatusPlaced.CountByPrefix(OrderStatus.Open, snapshot));
        Assert.Equal(paid, _orders.ByStatusPlaced.CountByPrefix(OrderStatus.Paid, snapshot));
        Assert.Equal(0, _orders.ByLastNameFirstNameNumber.CountByPrefix("Ld", snapshot));
    }

    /// <summary>
    /// CountByPrefix and Count count entries and do not check them against their documents, as their documentation says:
    /// an entry planted for an order of another status counts, where FindByPrefix and Find report it as corruption.
    /// </summary>
    [Fact]
    public void The_counts_count_a_stale_entry_that_the_finds_report()
    {
        var open = _all.Count(o => o.Status == OrderStatus.Open);
        Assert.Equal(OrderStatus.Shipped, _orders.Get("a", 2)!.Status);
        _db.Write(tx =>
        {
            var entry = new KeyWriter(new byte[64]);
            entry.WriteInt32((int)OrderStatus.Open);
            entry.WriteDateTime(s_day);
            entry.WriteString("a");
            entry.WriteInt32(2);
            tx.Put(tx.GetKeyspace("orders#StatusPlaced"), entry.WrittenSpan.ToArray(), []);
            entry.Dispose();
        });

        Assert.Equal(open + 1, _orders.ByStatusPlaced.CountByPrefix(OrderStatus.Open));
        Assert.Throws<CorruptionException>(() => _orders.ByStatusPlaced.FindByPrefix(OrderStatus.Open).ToList());
        Assert.Equal(1, _orders.ByStatusPlaced.Count(OrderStatus.Open, s_day)); // Count of a whole value likewise
        Assert.Throws<CorruptionException>(() => _orders.ByStatusPlaced.Find(OrderStatus.Open, s_day).ToList());
        Assert.NotEmpty(_orders.CheckConsistency());
    }

    /// <summary>With expiring documents, the expired ones are not counted, whether or not the collector has run.</summary>
    [Fact]
    public void CountByPrefix_leaves_out_expired_documents()
    {
        var clock = new FakeTimeProvider();
        using var db = Database.OpenInMemory(new DatabaseOptions { TimeProvider = clock, Ttl = { RunCollectorInBackground = false } });
        var bookings = new BookingCollection(db);
        var now = clock.GetUtcNow();
        bookings.InsertMany(Enumerable.Range(0, 4).Select(i => new Booking
        {
            Starts = now.AddHours(i),
            Logged = now.UtcDateTime,
            Room = "r" + i,
            Guest = i < 3 ? "ada" : "grace",
            Until = i == 0 ? now.AddMinutes(1) : null,
        }));
        Assert.Equal(3, bookings.ByGuestStarts.CountByPrefix("ada"));

        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(2, bookings.ByGuestStarts.CountByPrefix("ada"));
        Assert.Equal(1, bookings.ByGuestStarts.CountByPrefix("grace"));
        Assert.Equal(2, bookings.ByGuestStarts.FindByPrefix("ada").Count());
    }

    [Fact]
    public void Queries_use_the_generated_fields()
    {
        var query = _orders.Query().Where(f => f.Status.Is(OrderStatus.Paid) & f.Total.AtLeast(3m));
        Assert.Contains("StatusPlaced", query.Explain(), StringComparison.Ordinal);
        Assert.Equal(_all.Where(o => o.Status == OrderStatus.Paid && o.Total >= 3m).OrderBy(o => o.PlacedAt).ThenBy(o => o.CustomerId, StringComparer.Ordinal).ThenBy(o => o.Number), query);
        Assert.Equal(_all.Where(o => o.CustomerId == "b"), _orders.Query().Where(f => f.CustomerId.Is("b")).ToList());
    }
    /// <summary>
    /// A key part holding 0x00 bytes (escaped in the key) or nothing decodes: the generated decoder reads the key to
    /// its end (KeyReader.ReadEnd) and must take the escapes and the empty part's lone terminator as the part, not
    /// as bytes after it.
    /// </summary>
    [Fact]
    public void Keys_whose_string_part_is_empty_or_holds_NULs_read_back_whole()
    {
        Order[] odd = [.. new[] { "", "\0", "a\0", "\0\u00FF\0" }.Select(c => new Order(c, 0, OrderStatus.Paid, s_day, 1m) { LastName = "\0" + c })];
        _orders.InsertMany(odd);

        foreach (var order in odd)
        {
            Assert.Equal(order, _orders.Get(order.CustomerId, 0));
        }

        Assert.Equal(odd.Length + _all.Count, _orders.All().Count());
        Assert.Empty(_orders.CheckConsistency());
    }
}
