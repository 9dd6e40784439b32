using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Persistence.Testing;

/// <summary>An <see cref="ILogger"/> that keeps every entry, for asserting what was logged.</summary>
public sealed class CapturingLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, EventId Event, string Message, Exception? Exception)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, eventId, formatter(state, exception), exception));

    public bool Has(int eventId) => Entries.Any(e => e.Event.Id == eventId);
}
