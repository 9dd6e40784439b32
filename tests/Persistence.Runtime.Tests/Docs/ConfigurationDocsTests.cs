using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Persistence.DependencyInjection;

namespace Persistence.Tests.Docs;

/// <summary>
/// The README's Configuration table is the one place that lists every setting with its default, and its "same settings
/// in code" table says each is the <see cref="DatabaseOptions"/> property of its name with the same default. These
/// tests hold both against the options classes: a default changed in code, a setting added without a row, or a setting
/// that <see cref="PersistenceOptions"/> no longer copies into the engine's options fails here.
/// </summary>
public sealed partial class ConfigurationDocsTests
{
    private const string Collection = "Collections:{name}:";

    private static readonly string[] FromTheContainer =
        [nameof(DatabaseOptions.TimeProvider), nameof(DatabaseOptions.Logger), nameof(DatabaseOptions.MeterFactory)];

    /// <summary>Each documented setting and its default cell, the rows that name two settings ("`A` / `B`") split in two.</summary>
    private static Dictionary<string, string> Documented()
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in RepositoryDocs.TableAfter(RepositoryDocs.Read("README.md"), "### Configuration"))
        {
            var names = row[0].Split(" / ").Select(name => name.Trim('`')).ToArray();
            var defaults = row[1].Split(" / ");
            Assert.True(names.Length == defaults.Length, $"The row of {row[0]} gives {defaults.Length} defaults.");
            for (var i = 0; i < names.Length; i++)
            {
                var name = i == 0 ? names[0] : names[0][..(names[0].LastIndexOf(':') + 1)] + names[i];
                Assert.True(settings.TryAdd(name, defaults[i].Trim()), $"{name} has two rows.");
            }
        }

        return settings;
    }

    [Fact]
    public void Every_setting_of_the_options_has_a_row_and_every_row_a_setting()
    {
        var inCode = Leaves(typeof(PersistenceOptions), "").Order(StringComparer.Ordinal);
        Assert.Equal(inCode, Documented().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Each_row_gives_the_default_of_its_setting()
    {
        var defaults = new PersistenceOptions();
        foreach (var (setting, cell) in Documented())
        {
            var value = ValueOf(defaults, setting);
            switch (value)
            {
                case string path:
                    Assert.Equal("", path);
                    Assert.Equal("(required)", cell);
                    break;
                case null when setting == "HealthCheck:MaxWalBytesSinceCheckpoint":
                    // Null follows CheckpointWalBytes: the row says by how much, and what that is by default.
                    var threshold = defaults.HealthCheck.MaxWalBytesFor(defaults.CheckpointWalBytes);
                    Assert.Equal($"{threshold / defaults.CheckpointWalBytes} × `CheckpointWalBytes` ({threshold >> 20} MiB)", cell);
                    break;
                case null:
                    Assert.True(cell == "none" || cell.StartsWith("0 ", StringComparison.Ordinal), $"{setting}: '{cell}' for null.");
                    break;
                case bool flag:
                    Assert.Equal(flag ? "true" : "false", cell);
                    break;
                case Enum name:
                    Assert.Equal($"`{name}`", cell);
                    break;
                case TimeSpan span:
                    Assert.True(TimeSpan.Parse(Quoted().Match(cell).Groups[1].Value, CultureInfo.InvariantCulture) == span, $"{setting}: '{cell}' for {span}.");
                    break;
                default:
                    var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                    Assert.True(double.Parse(cell.Split(' ')[0], CultureInfo.InvariantCulture) == number, $"{setting}: '{cell}' for {number}.");
                    if (Binary().Match(cell) is { Success: true } binary)
                    {
                        var unit = binary.Groups[2].Value switch { "KiB" => 10, "MiB" => 20, _ => 30 };
                        Assert.True(long.Parse(binary.Groups[1].Value, CultureInfo.InvariantCulture) << unit == (long)number, $"{setting}: '{cell}' for {number}.");
                    }

                    break;
            }
        }
    }

    /// <summary>"Every setting of the Configuration table is the DatabaseOptions property of its name, with the same default, except as follows".</summary>
    [Fact]
    public void Each_row_but_the_listed_exceptions_is_the_engine_property_of_its_name_with_the_same_default()
    {
        var engine = new DatabaseOptions();
        var documented = Documented().Keys.Where(setting => setting != "Path" && !setting.StartsWith("HealthCheck:", StringComparison.Ordinal)).ToList();
        foreach (var setting in documented)
        {
            Assert.Equal(ValueOf(new PersistenceOptions(), setting), ValueOf(engine, EngineName(setting)));
        }

        // And the other way: every engine setting but those the container supplies, and the collector's loop it leaves on, has a row.
        var engineSettings = Leaves(typeof(DatabaseOptions), "")
            .Where(name => !FromTheContainer.Contains(name) && name != $"Ttl:{nameof(TtlOptions.RunCollectorInBackground)}");
        Assert.Equal(engineSettings.Order(StringComparer.Ordinal), documented.Select(EngineName).Order(StringComparer.Ordinal));
    }

    /// <summary>A setting given in configuration reaches the engine: each is copied, none is left at the engine's default.</summary>
    [Fact]
    public void The_container_copies_every_documented_setting_into_the_engine_options()
    {
        var configured = new PersistenceOptions { Path = "data/app.db" };
        configured.Collections["users"] = new PersistenceCollectionOptions();
        var expected = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var setting in Documented().Keys.Where(setting => setting != "Path" && !setting.StartsWith("HealthCheck:", StringComparison.Ordinal)))
        {
            var path = setting.Replace("{name}", "users", StringComparison.Ordinal);
            var changed = Changed(ValueOf(configured, path), setting);
            SetValue(configured, path, changed);
            expected[setting] = changed;
        }

        var engine = configured.ToDatabaseOptions(TimeProvider.System, null, null);
        engine.Validate(); // the changed values are valid ones
        foreach (var (setting, value) in expected)
        {
            Assert.True(Equals(value, ValueOf(engine, EngineName(setting).Replace("{name}", "users", StringComparison.Ordinal))), $"{setting} was not copied.");
        }

        Assert.True(engine.Ttl.RunCollectorInBackground);
    }

    /// <summary>The leaf settings under <paramref name="type"/>, as configuration keys (the flat hot-cache aliases left out, as the table names them in its text).</summary>
    private static IEnumerable<string> Leaves(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<EditorBrowsableAttribute>() is { State: EditorBrowsableState.Never })
            {
                continue;
            }

            var valueType = property.PropertyType;
            if (valueType.IsGenericType && valueType.GetGenericTypeDefinition() is var generic
                && (generic == typeof(Dictionary<,>) || generic == typeof(IDictionary<,>)))
            {
                foreach (var leaf in Leaves(valueType.GetGenericArguments()[1], $"{prefix}{property.Name}:{{name}}:"))
                {
                    yield return leaf;
                }
            }
            else if (valueType.IsClass && valueType.Namespace?.StartsWith("Persistence", StringComparison.Ordinal) == true)
            {
                foreach (var leaf in Leaves(valueType, $"{prefix}{property.Name}:"))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return prefix + property.Name;
            }
        }
    }

    /// <summary>The engine's name of a setting: the same, but the nested hot-cache settings, which are flat there.</summary>
    private static string EngineName(string setting) =>
        setting.Replace($"{Collection}HotCache:", $"{Collection}HotCache", StringComparison.Ordinal);

    private static object? ValueOf(object options, string setting)
    {
        var (owner, property) = Resolve(options, setting);
        return property.GetValue(owner);
    }

    private static void SetValue(object options, string setting, object? value)
    {
        var (owner, property) = Resolve(options, setting);
        property.SetValue(owner, value);
    }

    /// <summary>The object that holds <paramref name="setting"/> and its property; "{name}" is a fresh collection's settings.</summary>
    private static (object Owner, PropertyInfo Property) Resolve(object options, string setting)
    {
        var segments = setting.Split(':');
        var owner = options;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            var value = owner.GetType().GetProperty(segments[i])!.GetValue(owner)!;
            if (value is System.Collections.IDictionary collections)
            {
                var name = segments[++i];
                owner = name == "{name}"
                    ? Activator.CreateInstance(value.GetType().GetGenericArguments()[1])!
                    : collections[name]!;
            }
            else
            {
                owner = value;
            }
        }

        var property = owner.GetType().GetProperty(segments[^1]);
        Assert.True(property is not null, $"{owner.GetType().Name} has no setting {segments[^1]} ({setting}).");
        return (owner, property);
    }

    /// <summary>A valid value other than the default <paramref name="value"/>.</summary>
    private static object Changed(object? value, string setting) => value switch
    {
        int number => number == 0 ? 7 : number * 2,
        long number => number == 0 ? 7L : number * 2,
        double share => share / 2,
        TimeSpan span => span * 2,
        bool flag => !flag,
        Durability.Durable => Durability.Buffered,
        null => TimeSpan.FromHours(1),
        _ => throw new InvalidOperationException($"No changed value for {setting} ({value}): add one."),
    };

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\((\d+) (KiB|MiB|GiB)\)")]
    private static partial Regex Binary();
}
