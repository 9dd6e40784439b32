using Microsoft.Extensions.Logging;

namespace Persistence.Diagnostics;

/// <summary>
/// The application's logger as the database calls it: it marks the thread while the application's code runs, so that
/// a logger that disposes the database (on a critical event, say) does not wait for the close. The engine logs from
/// inside work that the close waits for: a commit in flight whose batch failed, the group commit's leader, the
/// buffered-flush timer, the checkpointer, the preparation of the next log segment, the expiry collector.
/// </summary>
internal sealed class DatabaseLogger(Database database, ILogger inner) : ILogger
{
    [ThreadStatic]
    private static Database? t_logging;

    /// <summary>True while the application's logger runs on this thread, called by <paramref name="database"/>.</summary>
    public static bool IsLogging(Database database) => t_logging == database;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var outer = t_logging;
        t_logging = database;
        try
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
        finally
        {
            t_logging = outer;
        }
    }
}
