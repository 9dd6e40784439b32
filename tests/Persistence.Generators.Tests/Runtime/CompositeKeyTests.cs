using Persistence.Generators.Tests.Golden.Orders;

namespace Persistence.Generators.Tests.Runtime;

/// <summary>Composite primary keys and composite indexes of a positional record, including prefix lookups.</summary>
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
    public void Queries_use_the_generated_fields()
    {
        var query = _orders.Query().Where(f => f.Status.Is(OrderStatus.Paid) & f.Total.AtLeast(3m));
        Assert.Contains("StatusPlaced", query.Explain(), StringComparison.Ordinal);
        Assert.Equal(_all.Where(o => o.Status == OrderStatus.Paid && o.Total >= 3m).OrderBy(o => o.PlacedAt).ThenBy(o => o.CustomerId, StringComparer.Ordinal).ThenBy(o => o.Number), query);
        Assert.Equal(_all.Where(o => o.CustomerId == "b"), _orders.Query().Where(f => f.CustomerId.Is("b")).ToList());
    }
}
