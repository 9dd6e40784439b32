using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Persistence.Storage;

namespace Persistence.DependencyInjection;

/// <summary>
/// Checks <see cref="PersistenceOptions"/> when the host starts (<c>ValidateOnStart</c>) or, without a host, when the
/// database is first resolved. Every problem is reported at once, each as a sentence that names the setting by its
/// configuration key, says what is wrong and how to fix it. One validator checks every database of the container,
/// each under its options name: the default one (<c>Persistence</c>) and the keyed ones (<c>Persistence:Databases:{key}</c>
/// or the section they were given), and that no two of them share a file.
/// </summary>
internal sealed partial class PersistenceOptionsValidator : IValidateOptions<PersistenceOptions>
{
    private readonly IServiceProvider? _services;

    /// <param name="services">
    /// The container, for the registered databases (the configuration sections that messages name, and the other
    /// databases' paths) and the host's content root. Without one, every options name is taken for a database bound
    /// from its conventional section and no path is compared.
    /// </param>
    public PersistenceOptionsValidator(IServiceProvider? services = null) => _services = services;

    public ValidateOptionsResult Validate(string? name, PersistenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        name ??= Options.DefaultName;
        var registry = _services?.GetService<DatabaseRegistry>();
        var database = registry?.Find(name) ?? DatabaseRegistration.Conventional(name);
        var section = database.Section;
        var failures = new List<string>();
        ValidateEngine(database, options, failures);
        ValidateTtl(section, options.Ttl, failures);
        ValidateCollections(section, options.Collections, failures);
        ValidateHealthCheck(section, options, failures);
        CrossCheckWithEngine(section, options, failures);
        if (failures.Count == 0 && _services is not null && registry is not null)
        {
            ValidateOwnPath(_services, registry, database, options, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateEngine(DatabaseRegistration database, PersistenceOptions options, List<string> failures)
    {
        var section = database.Section;
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            var code = database.IsDefault ? "AddPersistence(o => o.Path = ...)" : $"AddKeyedPersistence(\"{database.Name}\", o => o.Path = ...)";
            failures.Add($"{section}:Path is empty: set it in appsettings.json under \"{section}\" (for example \"Path\": \"data/app.db\"), or in code with {code}.");
        }
        else if (options.Path.AsSpan().IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0)
        {
            failures.Add($"{section}:Path \"{options.Path}\" contains characters that are not allowed in a path: remove them.");
        }
        else if (Database.NamesFolder(options.Path))
        {
            failures.Add($"{section}:Path \"{options.Path}\" names a folder: the database is one file (beside it, its log folder and lock file), so end the path with a file name, such as \"{System.IO.Path.Join(options.Path, "app.db")}\".");
        }

        if (!MetaPage.IsValidPageSize(options.PageSize))
        {
            failures.Add($"{section}:PageSize is {Show(options.PageSize)}: use a power of two from 4096 to 65536 (default 8192). An existing database keeps the page size it was created with.");
        }

        if (options.PageCacheBytes < 16L * Math.Max(options.PageSize, 4096))
        {
            failures.Add($"{section}:PageCacheBytes is {Show(options.PageCacheBytes)}: the page cache must hold at least 16 pages ({Show(16L * Math.Max(options.PageSize, 4096))} bytes with {Show(options.PageSize)}-byte pages); the default is 268435456 (256 MiB).");
        }

        if (!Enum.IsDefined(options.DefaultDurability) || options.DefaultDurability == Durability.None)
        {
            failures.Add($"{section}:DefaultDurability is {options.DefaultDurability}: use \"Durable\" (acknowledged after fsync, the default) or \"Buffered\" (acknowledged once written, synced within BufferedFlushDelay). \"None\" is only for in-memory databases.");
        }

        if (options.CheckpointWalBytes < 1 << 20)
        {
            failures.Add($"{section}:CheckpointWalBytes is {Show(options.CheckpointWalBytes)}: use at least 1048576 (1 MiB); the default is 67108864 (64 MiB).");
        }

        if (options.CheckpointInterval <= TimeSpan.Zero)
        {
            failures.Add($"{section}:CheckpointInterval is {options.CheckpointInterval}: use a positive time span such as \"00:01:00\" (the default, one minute).");
        }

        if (options.WalSegmentBytes < 64 << 10 || options.WalSegmentBytes > 1 << 30)
        {
            failures.Add($"{section}:WalSegmentBytes is {Show(options.WalSegmentBytes)}: use from 65536 (64 KiB) to 1073741824 (1 GiB); the default is 16777216 (16 MiB).");
        }

        if (options.BufferedFlushDelay <= TimeSpan.Zero || options.BufferedFlushDelay > TimeSpan.FromSeconds(10))
        {
            failures.Add($"{section}:BufferedFlushDelay is {options.BufferedFlushDelay}: use a time span above zero and at most ten seconds, such as \"00:00:00.100\" (the default, 100 ms).");
        }

    }

    /// <summary>A safety net, once every rule above passed: a rule the engine gains later is still enforced, with its own message.</summary>
    private static void CrossCheckWithEngine(string section, PersistenceOptions options, List<string> failures)
    {
        if (failures.Count > 0)
        {
            return;
        }

        try
        {
            options.ToDatabaseOptions(TimeProvider.System, null, null).Validate();
        }
        catch (InvalidOptionsException ex)
        {
            failures.Add($"{section}:{ex.Option}: {ex.Message}");
        }
    }

    private static void ValidateTtl(string section, PersistenceTtlOptions? ttl, List<string> failures)
    {
        if (ttl is null)
        {
            failures.Add($"{section}:Ttl is null: remove the assignment, or set a new PersistenceTtlOptions.");
            return;
        }

        if (ttl.CollectorInterval <= TimeSpan.Zero)
        {
            failures.Add($"{section}:Ttl:CollectorInterval is {ttl.CollectorInterval}: use a positive time span, such as \"00:00:10\" (the default, ten seconds).");
        }

        if (ttl.BatchSize is < 1 or > 1_000_000)
        {
            failures.Add($"{section}:Ttl:BatchSize is {Show(ttl.BatchSize)}: use from 1 to 1000000 documents per transaction (default 1000).");
        }

        if (ttl.MaxCollectorShare is not (>= TtlOptions.MinCollectorShare and <= 1)) // NaN fails both
        {
            failures.Add($"{section}:Ttl:MaxCollectorShare is {ttl.MaxCollectorShare.ToString(CultureInfo.InvariantCulture)}: use a fraction from 0.01 to 1, such as 0.5 (the default); to collect less often, raise Ttl:CollectorInterval instead.");
        }

        if (ttl.SlidingFlushInterval <= TimeSpan.Zero)
        {
            failures.Add($"{section}:Ttl:SlidingFlushInterval is {ttl.SlidingFlushInterval}: use a time span above zero, such as \"00:00:01\" (the default).");
        }
    }

    private static void ValidateCollections(string section, Dictionary<string, PersistenceCollectionOptions>? collections, List<string> failures)
    {
        if (collections is null)
        {
            failures.Add($"{section}:Collections is null: remove the assignment, or set an empty dictionary.");
            return;
        }

        foreach (var (name, collection) in collections.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var key = $"{section}:Collections:{name}";
            if (string.IsNullOrEmpty(name) || name.Length > 200 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
            {
                failures.Add($"{key}: \"{name}\" is not a collection name: use the name given in [Collection(\"...\")], 1 to 200 letters, digits, '_', '-' or '.'.");
            }

            if (collection is null)
            {
                failures.Add($"{key} is empty: give it settings, or remove it.");
                continue;
            }

            if (collection.DefaultTimeToLive is { } ttl && ttl <= TimeSpan.Zero)
            {
                failures.Add($"{key}:DefaultTimeToLive is {ttl}: use a positive time span such as \"1.00:00:00\" (one day), or remove it for documents that do not expire.");
            }
            else if (collection.DefaultTimeToLive > CollectionOptions.LongestTimeToLive)
            {
                failures.Add($"{key}:DefaultTimeToLive is {collection.DefaultTimeToLive}: use at most \"36500.00:00:00\" (about a century; past that a document's expiry may pass the last date a DateTimeOffset holds, and every write fails), or remove it for documents that do not expire.");
            }

            if (collection.SlidingExpiration && collection.DefaultTimeToLive is null)
            {
                failures.Add($"{key}:SlidingExpiration is true but DefaultTimeToLive is not set: sliding expiration restarts the default time-to-live on every read, so set DefaultTimeToLive too.");
            }

            ValidateHotCache(key + ":HotCache", collection.HotCache, failures);
            ValidateHotCacheAliases(key, collection, failures);
        }
    }

    /// <summary>The flat hot-cache settings (the engine's names), which stand for the nested ones: valid, and not given twice with two values.</summary>
    private static void ValidateHotCacheAliases(string key, PersistenceCollectionOptions collection, List<string> failures)
    {
        var nested = collection.HotCache ?? new HotCacheOptions();
        if (collection.HotCacheMaxCount is { } count)
        {
            if (count < 0)
            {
                failures.Add($"{key}:HotCacheMaxCount is {Show(count)}: use 0 (no count limit) or a positive number of documents.");
            }

            if (nested.MaxCount != 0 && nested.MaxCount != count)
            {
                failures.Add($"{key}:HotCacheMaxCount is {Show(count)} and {key}:HotCache:MaxCount is {Show(nested.MaxCount)}: both are the same setting, so keep one (HotCache:MaxCount is the documented name).");
            }
        }

        if (collection.HotCacheMaxBytes is { } bytes)
        {
            if (bytes < 0)
            {
                failures.Add($"{key}:HotCacheMaxBytes is {Show(bytes)}: use 0 (no byte limit) or a positive number of bytes.");
            }

            if (nested.MaxBytes != 0 && nested.MaxBytes != bytes)
            {
                failures.Add($"{key}:HotCacheMaxBytes is {Show(bytes)} and {key}:HotCache:MaxBytes is {Show(nested.MaxBytes)}: both are the same setting, so keep one (HotCache:MaxBytes is the documented name).");
            }
        }

        if (collection.HotCacheTimeToLive is { } ttl)
        {
            if (ttl <= TimeSpan.Zero)
            {
                failures.Add($"{key}:HotCacheTimeToLive is {ttl}: use a positive time span such as \"00:05:00\", or remove it to keep documents until they are evicted.");
            }

            if (nested.TimeToLive is { } other && other != ttl)
            {
                failures.Add($"{key}:HotCacheTimeToLive is {ttl} and {key}:HotCache:TimeToLive is {other}: both are the same setting, so keep one (HotCache:TimeToLive is the documented name).");
            }
        }
    }

    private static void ValidateHotCache(string key, HotCacheOptions? cache, List<string> failures)
    {
        if (cache is null)
        {
            failures.Add($"{key} is null: remove the assignment, or set a new HotCacheOptions.");
            return;
        }

        if (cache.MaxCount < 0)
        {
            failures.Add($"{key}:MaxCount is {Show(cache.MaxCount)}: use 0 (no count limit) or a positive number of documents.");
        }

        if (cache.MaxBytes < 0)
        {
            failures.Add($"{key}:MaxBytes is {Show(cache.MaxBytes)}: use 0 (no byte limit) or a positive number of bytes.");
        }

        if (cache.TimeToLive is { } ttl && ttl <= TimeSpan.Zero)
        {
            failures.Add($"{key}:TimeToLive is {ttl}: use a positive time span such as \"00:05:00\", or remove it to keep documents until they are evicted.");
        }
    }

    private static void ValidateHealthCheck(string section, PersistenceOptions options, List<string> failures)
    {
        var health = options.HealthCheck;
        if (health is null)
        {
            failures.Add($"{section}:HealthCheck is null: remove the assignment, or set a new PersistenceHealthCheckOptions.");
            return;
        }

        if (health.MaxWalBytesSinceCheckpoint is { } maxWalBytes && maxWalBytes <= options.CheckpointWalBytes)
        {
            failures.Add($"{section}:HealthCheck:MaxWalBytesSinceCheckpoint is {Show(maxWalBytes)}, not above CheckpointWalBytes ({Show(options.CheckpointWalBytes)}), where a checkpoint only starts: the database would look degraded in normal operation. Use a few times CheckpointWalBytes, or remove it for the default, four times CheckpointWalBytes.");
        }

        if (health.MaxOldestSnapshotAge <= TimeSpan.Zero)
        {
            failures.Add($"{section}:HealthCheck:MaxOldestSnapshotAge is {health.MaxOldestSnapshotAge}: use a positive time span such as \"00:05:00\" (the default, five minutes).");
        }

        if (health.MaxPinnedBytes <= 0)
        {
            failures.Add($"{section}:HealthCheck:MaxPinnedBytes is {Show(health.MaxPinnedBytes)}: use a positive number of bytes (the default is 1073741824, 1 GiB).");
        }
    }

    private static string Show(long value) => value.ToString(CultureInfo.InvariantCulture);
}
