using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Nats.TestSupport;

/// <summary>Collects log lines so tests can check what the server told the operator.</summary>
/// <param name="minimum">The level <see cref="CreateFactory"/> keeps lines from by default (Trace for protocol traces).</param>
public sealed class ListLoggerProvider(LogLevel minimum = LogLevel.Debug) : ILoggerProvider
{
    // Written by the server's threads, read by the test: a concurrent queue.
    private readonly ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception, int EventId)> _lines = new();

    /// <summary>The lines so far, with their levels.</summary>
    public IReadOnlyList<(LogLevel Level, string Message)> Lines => [.. _lines.Select(l => (l.Level, l.Message))];

    /// <summary>The event id each line was logged with (its <c>[LoggerMessage]</c> definition's; 0 for an ad hoc call), in order.</summary>
    public IReadOnlyList<(int EventId, string Message)> Events => [.. _lines.Select(l => (l.EventId, l.Message))];

    /// <summary>
    /// The lines so far as text: <c>[Level] message</c>, and <c> (Type: message)</c> of an
    /// exception logged with it; a test that prints them shows both ends' logs in one list.
    /// </summary>
    public IReadOnlyList<string> Texts => [.. _lines.Select(l => $"[{l.Level}] {l.Message}" + (l.Exception is null ? "" : $" ({l.Exception.GetType().Name}: {l.Exception.Message})"))];

    /// <summary>A factory writing here, from <paramref name="level"/> up (the constructor's minimum when not given).</summary>
    public ILoggerFactory CreateFactory(LogLevel? level = null) => LoggerFactory.Create(b => b.AddProvider(this).SetMinimumLevel(level ?? minimum));

    /// <summary>Lines at <paramref name="level"/> containing <paramref name="text"/>.</summary>
    public int Count(LogLevel level, string text) =>
        _lines.Count(l => l.Level == level && l.Message.Contains(text, StringComparison.Ordinal));

    /// <summary>True when a line at <paramref name="level"/> contains <paramref name="text"/>.</summary>
    public bool Contains(LogLevel level, string text) =>
        _lines.Any(l => l.Level == level && l.Message.Contains(text, StringComparison.Ordinal));

    /// <summary>True when one of <see cref="Texts"/> (any level; <c>[Error]</c> matches the level) contains <paramref name="text"/>.</summary>
    public bool Contains(string text) => Texts.Any(l => l.Contains(text, StringComparison.Ordinal));

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Logger(ListLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue((logLevel, formatter(state, exception), exception, eventId.Id));
    }
}
