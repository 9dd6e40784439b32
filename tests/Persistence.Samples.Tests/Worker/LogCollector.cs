using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Persistence.Samples.Tests.Worker;

/// <summary>A logger provider that keeps every entry of every category, with its structured values, for assertions.</summary>
internal sealed class LogCollector : ILoggerProvider
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>The entries of <paramref name="category"/> with event id <paramref name="eventId"/>.</summary>
    public IEnumerable<LogEntry> Find(string category, int eventId) =>
        Entries.Where(e => e.Category == category && e.Event.Id == eventId);

    /// <summary>The entries of <paramref name="category"/> with event name <paramref name="eventName"/> (a [LoggerMessage] method's name).</summary>
    public IEnumerable<LogEntry> Find(string category, string eventName) =>
        Entries.Where(e => e.Category == category && e.Event.Name == eventName);

    private sealed class Logger(LogCollector collector, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IReadOnlyList<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)
                : [];
            collector.Entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), values, exception));
        }
    }
}

/// <summary>One log entry: its category, level, event, message and structured values ({Name} to value).</summary>
internal sealed record LogEntry(string Category, LogLevel Level, EventId Event, string Message, IReadOnlyDictionary<string, object?> Values, Exception? Exception);
