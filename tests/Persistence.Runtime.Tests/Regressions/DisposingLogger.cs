using Microsoft.Extensions.Logging;
using Persistence.Testing;

namespace Persistence.Tests.Regressions;

/// <summary>
/// A logger that disposes its database the first time it is given one event on a thread <c>when</c> accepts, as an
/// application's logger or event handler might (shutting down on a critical event, say), and keeps every entry.
/// </summary>
internal sealed class DisposingLogger(int disposeOn, Func<bool>? when = null) : ILogger
{
    private Database? _target;
    private int _fired;

    public CapturingLogger Captured { get; } = new();

    /// <summary>Set once the logger's own call of Dispose returned.</summary>
    public ManualResetEventSlim Returned { get; } = new();

    /// <summary>The database to dispose; nothing is disposed before it is set.</summary>
    public Database Target
    {
        set => Volatile.Write(ref _target, value);
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        Captured.Log(logLevel, eventId, state, exception, formatter);
        if (eventId.Id != disposeOn || !(when?.Invoke() ?? true) || Volatile.Read(ref _target) is not { } database
            || Interlocked.Exchange(ref _fired, 1) != 0)
        {
            return;
        }

        database.Dispose();
        Returned.Set();
    }
}
