using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Nats.JetStream.Tests.Storage;

/// <summary>Keeps what a store logs, so tests can check what recovery reported.</summary>
internal sealed class CapturingLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, string Text)> Entries { get; } = new();

    public IEnumerable<string> At(LogLevel level) => Entries.Where(e => e.Level == level).Select(e => e.Text);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var text = formatter(state, exception) + (exception is null ? "" : " " + exception);
        Entries.Enqueue((logLevel, text));
        if (logLevel >= LogLevel.Error)
        {
            TestContext.Progress.WriteLine($"[{logLevel}] {text}");
        }
    }
}
