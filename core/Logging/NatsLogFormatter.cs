using System.Text;
using Microsoft.Extensions.Logging;

namespace Nats.Core.Logging;

/// <summary>
/// Formats log lines the way nats-server does — <c>[pid] 2006/01/02 15:04:05.000000 [INF] text</c> —
/// so existing log tooling keeps working.
/// </summary>
internal static class NatsLogFormatter
{
    private static readonly int ProcessId = Environment.ProcessId;

    public static string Label(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRC",
        LogLevel.Debug => "DBG",
        LogLevel.Information => "INF",
        LogLevel.Warning => "WRN",
        LogLevel.Error => "ERR",
        LogLevel.Critical => "FTL",
        _ => "INF",
    };

    public static string Format(LogLevel level, string message, Exception? exception, bool withTime, bool utc)
    {
        var line = new StringBuilder(64 + message.Length);
        line.Append('[').Append(ProcessId).Append("] ");
        if (withTime)
        {
            var now = utc ? DateTime.UtcNow : DateTime.Now;
            line.Append(now.ToString("yyyy/MM/dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture)).Append(' ');
        }
        line.Append('[').Append(Label(level)).Append("] ").Append(message);
        if (exception is not null)
        {
            line.Append(": ").Append(exception.GetType().Name).Append(": ").Append(exception.Message);
            if (level >= LogLevel.Error && exception.StackTrace is { } stack)
            {
                line.AppendLine().Append(stack);
            }
        }
        return line.ToString();
    }
}
