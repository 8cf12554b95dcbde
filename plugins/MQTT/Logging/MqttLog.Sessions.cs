using Microsoft.Extensions.Logging;

namespace Nats.Mqtt.Logging;

/// <summary>Sessions and the account's MQTT state in JetStream: event ids 660–689.</summary>
internal static partial class MqttLog
{
    [LoggerMessage(EventId = 660, Level = LogLevel.Error, Message = "{Remote} - mqtt client {Id}: PUBREL consumer could not be resumed: {Reason}")]
    public static partial void PubRelConsumerNotResumed(ILogger logger, string remote, string id, string reason);

    [LoggerMessage(EventId = 661, Level = LogLevel.Error, Message = "{Remote} - mqtt client {Id}: consumer for {Filter} could not be resumed: {Reason}")]
    public static partial void ConsumerNotResumed(ILogger logger, string remote, string id, string filter, string reason);

    [LoggerMessage(EventId = 662, Level = LogLevel.Warning, Message = "mqtt: retained messages not all loaded within {Timeout}")]
    public static partial void RetainedNotLoaded(ILogger logger, TimeSpan timeout);

    [LoggerMessage(EventId = 663, Level = LogLevel.Debug, Message = "mqtt: deleting {Stream} message {Sequence}: {Reason}")]
    public static partial void MessageNotDeleted(ILogger logger, string stream, ulong sequence, string reason);

    [LoggerMessage(EventId = 664, Level = LogLevel.Debug, Message = "mqtt: deleting session record of {Id}: {Reason}")]
    public static partial void SessionRecordNotDeleted(ILogger logger, string id, string reason);

    [LoggerMessage(EventId = 665, Level = LogLevel.Information, Message = "mqtt: {Discarded} ended or expired sessions removed at start, {Kept} kept")]
    public static partial void SessionsSwept(ILogger logger, int discarded, int kept);

    [LoggerMessage(EventId = 666, Level = LogLevel.Trace, Message = "mqtt: account {Account} not opened at start: {Reason}")]
    public static partial void AccountNotOpenedAtStart(ILogger logger, string account, string reason);

    [LoggerMessage(EventId = 667, Level = LogLevel.Debug, Message = "mqtt: session of {Id} expired after {Expiry}s")]
    public static partial void SessionExpired(ILogger logger, string id, uint expiry);

    [LoggerMessage(EventId = 668, Level = LogLevel.Warning, Message = "Closing because a remote connection has started with the same client ID: \"{Id}\"")]
    public static partial void ConnectedElsewhere(ILogger logger, string id);
}
