using Microsoft.Extensions.Logging;

namespace Nats.JetStream.Storage;

/// <summary>Log messages of the stores.</summary>
internal static partial class StoreLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "JetStream store maintenance failed")]
    public static partial void LogStoreError(this ILogger logger, Exception error);
}
