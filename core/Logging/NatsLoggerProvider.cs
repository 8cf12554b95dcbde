using Microsoft.Extensions.Logging;
using Nats.Core.Config;

namespace Nats.Core.Logging;

/// <summary>
/// The server's log sink: stderr or a file (<c>log_file</c>/<c>-l</c>), with nats-server's
/// line format and its levels (<c>-D</c> debug, <c>-V</c> trace). Settings can change live
/// (reload), and the file can be reopened (SIGUSR1 / <c>--signal reopen</c>) for an external
/// rotation, or rotated here as nats-server does (<c>logfile_size_limit</c>, <c>logfile_max_num</c>;
/// see <see cref="LogFileRotation"/>).
/// </summary>
public sealed class NatsLoggerProvider : ILoggerProvider
{
    // Everything below is guarded by _lock (any thread logs); _options is also read unlocked
    // (a reference swap on reload).
    private readonly Lock _lock = new();
    private LoggingOptions _options;
    private TextWriter _writer;
    private bool _ownsWriter;
    private long _fileBytes;

    /// <summary>Creates a provider writing where <paramref name="options"/> says.</summary>
    public NatsLoggerProvider(LoggingOptions options)
    {
        _options = options;
        (_writer, _ownsWriter) = OpenWriter(options);
        _fileBytes = CurrentFileLength(options);
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
            if (!_ownsWriter)
            {
                return;
            }
            _fileBytes += System.Text.Encoding.UTF8.GetByteCount(line) + Environment.NewLine.Length;
            if (_options.LogSizeLimit > 0 && _fileBytes > _options.LogSizeLimit)
            {
                RotateLocked();
            }
        }
    }

    /// <summary>
    /// The file passed <c>logfile_size_limit</c>: it becomes a backup, a new file starts with
    /// the line saying where the backup went (nats-server's wording), and backups beyond
    /// <c>logfile_max_num</c> go. A failure (a full disk, a read-only directory) keeps logging
    /// to the file as it is rather than losing lines.
    /// </summary>
    private void RotateLocked()
    {
        var path = _options.LogFile!;
        string backup;
        try
        {
            _writer.Dispose();
            backup = LogFileRotation.BackupName(path, DateTime.Now);
            File.Move(path, backup);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ReopenLocked();
            _fileBytes = CurrentFileLength(_options);
            var failed = NatsLogFormatter.Format(LogLevel.Error, $"Unable to rotate log file \"{path}\": {e.Message}", null, _options.LogTime, _options.LogTimeUtc);
            _writer.WriteLine(failed);
            _writer.Flush();
            return;
        }
        ReopenLocked();
        var rotated = NatsLogFormatter.Format(LogLevel.Information, $"Rotated log, backup saved as \"{backup}\"", null, _options.LogTime, _options.LogTimeUtc);
        _writer.WriteLine(rotated);
        _writer.Flush();
        _fileBytes = System.Text.Encoding.UTF8.GetByteCount(rotated) + Environment.NewLine.Length;
        LogFileRotation.Prune(path, _options.LogMaxFiles);
    }

    private void ReopenLocked()
    {
        if (_ownsWriter)
        {
            _writer.Dispose();
        }
        (_writer, _ownsWriter) = OpenWriter(_options);
        _fileBytes = CurrentFileLength(_options);
    }

    private static long CurrentFileLength(LoggingOptions options) =>
        !string.IsNullOrEmpty(options.LogFile) && File.Exists(options.LogFile) ? new FileInfo(options.LogFile).Length : 0;

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
