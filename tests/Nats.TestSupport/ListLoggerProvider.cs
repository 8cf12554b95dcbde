using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Nats.TestSupport;

/// <summary>Collects log lines so tests can check what the server told the operator.</summary>
public sealed class ListLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Lines => [.. _lines];

    /// <summary>A factory writing here, from <paramref name="minimum"/> up (Trace for protocol traces).</summary>
    public ILoggerFactory CreateFactory(LogLevel minimum = LogLevel.Debug) => LoggerFactory.Create(b => b.AddProvider(this).SetMinimumLevel(minimum));

    /// <summary>Lines at <paramref name="level"/> containing <paramref name="text"/>.</summary>
    public int Count(LogLevel level, string text) =>
        _lines.Count(l => l.Level == level && l.Message.Contains(text, StringComparison.Ordinal));

    public bool Contains(LogLevel level, string text) =>
        _lines.Any(l => l.Level == level && l.Message.Contains(text, StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(ListLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue((logLevel, formatter(state, exception)));
    }
}
