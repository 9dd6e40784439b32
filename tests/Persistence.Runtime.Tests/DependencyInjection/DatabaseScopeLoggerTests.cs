using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Persistence.Testing;

namespace Persistence.Tests.DependencyInjection;

/// <summary>The engine's events of a keyed database carry its key in a <c>Database</c> scope; the default database's carry none.</summary>
public sealed class DatabaseScopeLoggerTests
{
    [Fact]
    public void Engine_events_of_a_keyed_database_carry_its_key()
    {
        var logger = new ScopeRecordingLogger();
        using (var provider = new ServiceCollection()
            .AddTestInfrastructure(new SimulatedFileSystem())
            .AddLogging(builder => builder.AddProvider(new Provider(logger)))
            .AddPersistence(TestServices.Small)
            .AddKeyedPersistence("cache", TestServices.Small("/sim/cache.db"))
            .BuildServiceProvider())
        {
            provider.GetRequiredService<Database>();
            provider.GetRequiredKeyedService<Database>("cache");
        }

        // Event 1 (opened) and 8 (closed) come from the engine, once per database.
        foreach (var id in new[] { 1, 8 })
        {
            var events = logger.Entries.Where(e => e.Event.Id == id).ToList();
            Assert.Equal(2, events.Count);
            var cache = Assert.Single(events, e => e.Message.Contains("/sim/cache.db", StringComparison.Ordinal));
            Assert.Equal("cache", cache.Database);
            Assert.Null(Assert.Single(events, e => e.Message.Contains(TestServices.Path, StringComparison.Ordinal)).Database);
        }
    }

    /// <summary>Records each entry with the <c>Database</c> value of the scopes open around it.</summary>
    private sealed class ScopeRecordingLogger : ILogger
    {
        private readonly AsyncLocal<string?> _database = new();

        public ConcurrentQueue<(EventId Event, string Message, string? Database)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            var outer = _database.Value;
            if (state is IEnumerable<KeyValuePair<string, object?>> values && values.FirstOrDefault(v => v.Key == "Database").Value is string database)
            {
                _database.Value = database;
            }

            return new Restore(() => _database.Value = outer);
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((eventId, formatter(state, exception), _database.Value));

        private sealed class Restore(Action restore) : IDisposable
        {
            public void Dispose() => restore();
        }
    }

    private sealed class Provider(ILogger logger) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => categoryName == "Persistence" ? logger : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public void Dispose()
        {
        }
    }
}
