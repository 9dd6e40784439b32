using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Persistence.DependencyInjection;

/// <summary>
/// One database of a container: the default one (<c>AddPersistence</c>, options name <see cref="Options.DefaultName"/>)
/// or a keyed one (<c>AddKeyedPersistence(key)</c>, whose service key is also its options name).
/// </summary>
/// <param name="Name">The options name: empty for the default database, the service key of a keyed one.</param>
/// <param name="Section">The configuration path its options are bound from, which validation messages name settings by.</param>
internal sealed record DatabaseRegistration(string Name, string Section)
{
    /// <summary>
    /// True when <see cref="Section"/> is the conventional one of a registration that named none (<c>AddPersistence()</c>,
    /// <c>AddKeyedPersistence(key)</c>): a later registration from a section replaces it, and the conventional section
    /// is then no longer bound.
    /// </summary>
    public bool SectionByConvention { get; init; }

    /// <summary>The section keyed databases are bound from by default: <c>Persistence:Databases:{key}</c>.</summary>
    public const string DatabasesSection = "Databases";

    /// <summary>True for the database registered by <c>AddPersistence</c>, resolved without a key.</summary>
    public bool IsDefault => Name.Length == 0;

    /// <summary>How log messages name the database: its key, or <c>(default)</c>.</summary>
    public string DisplayName => IsDefault ? "(default)" : Name;

    /// <summary>How validation messages name the database: <c>the default database</c> or <c>database "cache"</c>.</summary>
    public string Description => IsDefault ? "the default database" : $"database \"{Name}\"";

    /// <summary>The default database, bound from <c>Persistence</c>.</summary>
    public static DatabaseRegistration Default { get; } = new(Options.DefaultName, PersistenceOptions.SectionName) { SectionByConvention = true };

    /// <summary>The database registered under <paramref name="name"/>, with the section it is bound from when nobody says otherwise.</summary>
    public static DatabaseRegistration Conventional(string name) =>
        name.Length == 0 ? Default : new(name, ConfigurationPath.Combine(PersistenceOptions.SectionName, DatabasesSection, name)) { SectionByConvention = true };

    /// <summary>The database registered under <paramref name="name"/>, bound from the <paramref name="section"/> its registration gave.</summary>
    public static DatabaseRegistration FromSection(string name, IConfigurationSection section) => new(name, section.Path);

    /// <summary>The database, resolved from the container (opened on its first resolve).</summary>
    public Database Resolve(IServiceProvider services) =>
        IsDefault ? services.GetRequiredService<Database>() : services.GetRequiredKeyedService<Database>(Name);

    /// <summary>Its options, validated (for the default database the same instance <c>IOptions</c> returns).</summary>
    public PersistenceOptions GetOptions(IServiceProvider services) =>
        IsDefault
            ? services.GetRequiredService<IOptions<PersistenceOptions>>().Value
            : services.GetRequiredService<IOptionsMonitor<PersistenceOptions>>().Get(Name);
}
