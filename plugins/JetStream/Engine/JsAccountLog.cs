using Microsoft.Extensions.Logging;

namespace Nats.JetStream.Engine;

/// <summary>An account's streams and consumers: recovery from disk and inactive consumers. Event ids 820–839.</summary>
internal static partial class JsAccountLog
{
    [LoggerMessage(EventId = 820, Level = LogLevel.Information, Message = "JetStream consumer {Stream} > {Consumer} deleted after its inactive threshold")]
    public static partial void ConsumerInactiveDeleted(ILogger logger, string stream, string consumer);

    [LoggerMessage(EventId = 821, Level = LogLevel.Warning, Message = "JetStream: {Dir} has no meta.json, skipped")]
    public static partial void NoMeta(ILogger logger, string dir);

    [LoggerMessage(EventId = 822, Level = LogLevel.Error, Message = "JetStream: could not recover {Dir}")]
    public static partial void RecoverFailed(ILogger logger, Exception error, string dir);
}
