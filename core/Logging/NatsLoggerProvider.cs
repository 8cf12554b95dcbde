using Microsoft.Extensions.Logging;
using Nats.Core.Config;

namespace Nats.Core.Logging;

/// <summary>
/// The server's log sink: stderr or a file (<c>log_file</c>/<c>-l</c>), with nats-server's
/// line format and its levels (<c>-D</c> debug, <c>-V</c> trace). Settings can change live
/// (reload), and the file can be reopened (SIGUSR1 / <c>--signal reopen</c>) for log rotation.
/// </summary>
public sealed class NatsLoggerProvider : ILoggerProvider
{
    private readonly Lock _lock = new();
    private LoggingOptions _options;
    private TextWriter _writer;
    private bool _ownsWriter;

    /// <summary>Creates a provider writing where <paramref name="options"/> says.</summary>
    public NatsLoggerProvider(LoggingOptions options)
    {
        _options = options;
        (_writer, _ownsWriter) = OpenWriter(options);
    }

    /// <summary>The lowest level written.</summary>
    public LogLevel MinimumLevel => _options.Trace ? LogLevel.Trace : _options.Debug ? LogLevel.Debug : LogLevel.Information;

    /// <summary>Applies new logging settings (reload).</summary>
    public void Apply(LoggingOptions options)
    {
        lock (_lock)
        {
            var reopen = options.LogFile != _options.LogFile;
            _options = options;
            if (reopen)
            {
                ReopenLocked();
            }
        }
    }

    /// <summary>Reopens the log file (after an external rotation).</summary>
    public void Reopen()
    {
        lock (_lock)
        {
            ReopenLocked();
        }
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new NatsLogger(this);

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            if (_ownsWriter)
            {
                _writer.Dispose();
            }
        }
    }

    internal void Write(LogLevel level, string message, Exception? exception)
    {
        var options = _options;
        var line = NatsLogFormatter.Format(level, message, exception, options.LogTime, options.LogTimeUtc);
        lock (_lock)
        {
            _writer.WriteLine(line);
            _writer.Flush();
        }
    }

    private void ReopenLocked()
    {
        if (_ownsWriter)
        {
            _writer.Dispose();
        }
        (_writer, _ownsWriter) = OpenWriter(_options);
    }

    private static (TextWriter Writer, bool Owned) OpenWriter(LoggingOptions options)
    {
        if (string.IsNullOrEmpty(options.LogFile))
        {
            return (Console.Error, false);
        }
        var stream = new FileStream(options.LogFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        return (new StreamWriter(stream) { AutoFlush = false }, true);
    }

    private sealed class NatsLogger(NatsLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= provider.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, formatter(state, exception), exception);
            }
        }
    }
}
