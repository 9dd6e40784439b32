using Persistence.Tests.Collections;

namespace Persistence.Tests.Docs;

/// <summary>
/// The ranges the options' documentation gives (their XML docs and the README's Configuration table): the value at
/// each documented bound is accepted and the next one past it is refused with <see cref="InvalidOptionsException"/>
/// naming the setting, so that a bound moved in code without its documentation fails here.
/// </summary>
public sealed class OptionRangeTests
{
    public static TheoryData<string, Action<DatabaseOptions>, bool> Bounds => new()
    {
        { "PageSize", o => o.PageSize = 4096, true },
        { "PageSize", o => o.PageSize = 65536, true },
        { "PageSize", o => o.PageSize = 2048, false },
        { "PageSize", o => o.PageSize = 131072, false },
        { "PageSize", o => o.PageSize = 12288, false },
        { "PageCacheBytes", o => o.PageCacheBytes = 16 * 8192, true },
        { "PageCacheBytes", o => o.PageCacheBytes = (16 * 8192) - 1, false },
        { "PageCacheBytes", o => (o.PageSize, o.PageCacheBytes) = (65536, 16 * 65536), true },
        { "PageCacheBytes", o => (o.PageSize, o.PageCacheBytes) = (65536, 16 * 8192), false },
        { "DefaultDurability", o => o.DefaultDurability = Durability.Buffered, true },
        { "DefaultDurability", o => o.DefaultDurability = (Durability)42, false },
        { "CheckpointWalBytes", o => o.CheckpointWalBytes = 1 << 20, true },
        { "CheckpointWalBytes", o => o.CheckpointWalBytes = (1 << 20) - 1, false },
        { "CheckpointInterval", o => o.CheckpointInterval = TimeSpan.FromTicks(1), true },
        { "CheckpointInterval", o => o.CheckpointInterval = TimeSpan.Zero, false },
        { "WalSegmentBytes", o => o.WalSegmentBytes = 64 << 10, true },
        { "WalSegmentBytes", o => o.WalSegmentBytes = (64 << 10) - 1, false },
        { "WalSegmentBytes", o => o.WalSegmentBytes = 1 << 30, true },
        { "WalSegmentBytes", o => o.WalSegmentBytes = (1 << 30) + 1, false },
        { "BufferedFlushDelay", o => o.BufferedFlushDelay = TimeSpan.FromTicks(1), true },
        { "BufferedFlushDelay", o => o.BufferedFlushDelay = TimeSpan.Zero, false },
        { "BufferedFlushDelay", o => o.BufferedFlushDelay = TimeSpan.FromSeconds(10), true },
        { "BufferedFlushDelay", o => o.BufferedFlushDelay = TimeSpan.FromSeconds(10) + TimeSpan.FromTicks(1), false },
        { "Ttl.CollectorInterval", o => o.Ttl.CollectorInterval = TimeSpan.FromTicks(1), true },
        { "Ttl.CollectorInterval", o => o.Ttl.CollectorInterval = TimeSpan.Zero, false },
        { "Ttl.BatchSize", o => o.Ttl.BatchSize = 1, true },
        { "Ttl.BatchSize", o => o.Ttl.BatchSize = 0, false },
        { "Ttl.BatchSize", o => o.Ttl.BatchSize = 1_000_000, true },
        { "Ttl.BatchSize", o => o.Ttl.BatchSize = 1_000_001, false },
        { "Ttl.MaxCollectorShare", o => o.Ttl.MaxCollectorShare = 0.01, true },
        { "Ttl.MaxCollectorShare", o => o.Ttl.MaxCollectorShare = 0.0099, false },
        { "Ttl.MaxCollectorShare", o => o.Ttl.MaxCollectorShare = 1, true },
        { "Ttl.MaxCollectorShare", o => o.Ttl.MaxCollectorShare = 1.0001, false },
        { "Ttl.SlidingFlushInterval", o => o.Ttl.SlidingFlushInterval = TimeSpan.FromTicks(1), true },
        { "Ttl.SlidingFlushInterval", o => o.Ttl.SlidingFlushInterval = TimeSpan.Zero, false },
        { "Collections[users].DefaultTimeToLive", o => o.Collections["users"] = new() { DefaultTimeToLive = TimeSpan.FromTicks(1) }, true },
        { "Collections[users].DefaultTimeToLive", o => o.Collections["users"] = new() { DefaultTimeToLive = TimeSpan.Zero }, false },
        { "Collections[users].DefaultTimeToLive", o => o.Collections["users"] = new() { DefaultTimeToLive = TimeSpan.FromDays(36_500) }, true },
        { "Collections[users].DefaultTimeToLive", o => o.Collections["users"] = new() { DefaultTimeToLive = TimeSpan.FromDays(36_500) + TimeSpan.FromTicks(1) }, false },
        { "Collections[users].SlidingExpiration", o => o.Collections["users"] = new() { SlidingExpiration = true }, false },
        { "Collections[users].HotCache", o => o.Collections["users"] = new() { HotCacheMaxCount = -1 }, false },
        { "Collections[users].HotCache", o => o.Collections["users"] = new() { HotCacheMaxBytes = -1 }, false },
        { "Collections[users].HotCache", o => o.Collections["users"] = new() { HotCacheMaxCount = 1, HotCacheTimeToLive = TimeSpan.FromTicks(1) }, true },
        { "Collections[users].HotCache", o => o.Collections["users"] = new() { HotCacheMaxCount = 1, HotCacheTimeToLive = TimeSpan.Zero }, false },
    };

    [Theory]
    [MemberData(nameof(Bounds))]
    public void A_documented_bound_is_accepted_and_the_value_past_it_refused_naming_the_setting(string option, Action<DatabaseOptions> set, bool valid)
    {
        var options = new DatabaseOptions();
        set(options);
        if (valid)
        {
            options.Validate();
        }
        else
        {
            var error = Assert.Throws<InvalidOptionsException>(options.Validate);
            Assert.Equal(ErrorCode.InvalidOptions, error.Code);
            Assert.Equal(option, error.Option);
        }
    }

    /// <summary>
    /// <see cref="Durability.None"/> is "for in-memory databases" (README, Guarantees): a database with files refuses it
    /// as its default and for a transaction, creating nothing, and an in-memory one takes any durability.
    /// </summary>
    [Fact]
    public void Durability_none_is_refused_for_a_database_with_files_and_taken_in_memory()
    {
        using var dir = new Persistence.Testing.TempDirectory();
        var path = dir.File();
        var error = Assert.Throws<InvalidOptionsException>(() => Database.Open(path, new DatabaseOptions { DefaultDurability = Durability.None }));
        Assert.Equal(nameof(DatabaseOptions.DefaultDurability), error.Option);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));

        using (var db = Database.Open(path))
        {
            Assert.Equal("durability", Assert.Throws<InvalidOptionsException>(() => db.BeginWrite(Durability.None)).Option);
            using var buffered = db.BeginWrite(Durability.Buffered);
            buffered.Commit();
        }

        using var memory = Database.OpenInMemory(new DatabaseOptions { DefaultDurability = Durability.Durable });
        using var tx = memory.BeginWrite(Durability.Durable);
        tx.Put(tx.CreateKeyspace("k"), [1], [1]);
        tx.Commit();
    }

    /// <summary>
    /// <see cref="CollectionOptions.HotCacheMaxCount"/> said 0 meant no hot cache; the cache is on when either limit is
    /// above zero, so a byte budget alone makes one, and its hits return the cached instance.
    /// </summary>
    [Fact]
    public void A_byte_budget_alone_turns_the_hot_cache_on_and_no_limit_leaves_it_off()
    {
        foreach (var (bytes, cached) in new[] { (1L << 20, true), (0L, false) })
        {
            var options = new DatabaseOptions();
            options.Ttl.RunCollectorInBackground = false;
            options.Collections["users"] = new CollectionOptions { HotCacheMaxCount = 0, HotCacheMaxBytes = bytes };
            using var db = Database.OpenInMemory(options);
            var users = new UserCollection(db);
            users.Insert(new User { Id = 1, Email = "a@example.com", Name = "Ada" });
            var first = users.Get(1);
            Assert.Equal(cached, ReferenceEquals(first, users.Get(1)));
            Assert.Equal(cached, db.GetStatistics().HotCacheHits > 0);
        }
    }
}
