using Microsoft.Extensions.Logging;

namespace Nats.Core.Logging;

/// <summary>Failures of the handlers of <see cref="Plugins.ServerEvents"/> (event ids 90–99).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 90, Level = LogLevel.Error, Message = "A handler of the server event {Event} failed")]
    public static partial void EventHandlerFailed(ILogger logger, Exception exception, string @event);
}
