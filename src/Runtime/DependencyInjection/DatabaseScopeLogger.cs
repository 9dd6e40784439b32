using Microsoft.Extensions.Logging;

namespace Persistence.DependencyInjection;

/// <summary>
/// The engine's logger for a keyed database: every event is written inside a scope whose <c>Database</c> property is
/// the database's key, so that the engine's events (which name the file, not the key) can be told apart by key in a
/// structured sink or a console formatter with scopes on. The events themselves are unchanged.
/// </summary>
internal sealed class DatabaseScopeLogger(ILogger inner, string key) : ILogger
{
    private readonly KeyValuePair<string, object?>[] _scope = [new("Database", key)];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        using (inner.BeginScope(_scope))
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
