using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Persistence.Tests.Docs;

/// <summary>
/// The README's Diagnostics section lists the log events by id, most with their level. Event ids are stable, so the
/// list is the one place an operator looks them up: every event the engine and the hosting layer log is listed, none
/// listed is gone, and each level given is the one logged.
/// </summary>
public sealed partial class LogEventDocsTests
{
    [Fact]
    public void The_readme_lists_every_log_event_with_its_level()
    {
        var logged = new[] { typeof(Database).Assembly.GetType("Persistence.Diagnostics.Log", throwOnError: true)!, typeof(Persistence.DependencyInjection.HostingLog) }
            .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Select(method => method.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .ToDictionary(message => message.EventId, message => message.Level);

        var readme = RepositoryDocs.Read("README.md");
        var start = readme.IndexOf("Log events (category `Persistence`", StringComparison.Ordinal);
        var paragraph = readme[start..readme.IndexOf("`db.GetStatistics()`", start, StringComparison.Ordinal)].ReplaceLineEndings(" ");
        paragraph = paragraph[paragraph.IndexOf(": ", StringComparison.Ordinal)..];
        var items = Item().Matches(paragraph);
        var documented = new HashSet<int>();
        for (var i = 0; i < items.Count; i++)
        {
            var first = int.Parse(items[i].Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var last = items[i].Groups[2].Success ? int.Parse(items[i].Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : first;
            for (var id = first; id <= last; id++)
            {
                Assert.True(documented.Add(id), $"Event {id} is listed twice.");
            }

            var end = i + 1 < items.Count ? items[i + 1].Index : paragraph.Length;
            if (first == last && Level().Match(paragraph, items[i].Index, end - items[i].Index) is { Success: true } level)
            {
                Assert.True(logged.TryGetValue(first, out var actual), $"Event {first} is listed but not logged.");
                Assert.True(level.Groups[1].Value == actual.ToString(), $"Event {first} is listed as {level.Groups[1].Value} but logged as {actual}.");
            }
        }

        Assert.Equal(logged.Keys.Order(), documented.Order());
    }

    /// <summary>An item of the list: after the colon, a comma or a semicolon, an id or a range of ids, then a space.</summary>
    [GeneratedRegex(@"(?:^: |[,;] )(\d{1,3})(?:-(\d{1,3}))? ")]
    private static partial Regex Item();

    [GeneratedRegex(@"\((Trace|Debug|Information|Warning|Error|Critical)\b")]
    private static partial Regex Level();
}
