using Microsoft.Extensions.Logging;

namespace Nats.Mqtt.Logging;

/// <summary>PUBLISH, SUBSCRIBE and the QoS 1/2 exchanges of a connected client: event ids 630–659.</summary>
internal static partial class MqttLog
{
    [LoggerMessage(EventId = 630, Level = LogLevel.Debug, Message = "{Remote} - mqtt client {Id}: QoS=2 is disabled for PUBLISH messages")]
    public static partial void Qos2Disabled(ILogger logger, string remote, string id);

    [LoggerMessage(EventId = 631, Level = LogLevel.Debug, Message = "{Remote} - mqtt client {Id}: malformed PUBLISH: {Reason}")]
    public static partial void MalformedPublish(ILogger logger, string remote, string id, string reason);

    [LoggerMessage(EventId = 632, Level = LogLevel.Debug, Message = "{Remote} - mqtt client {Id}: topic cannot be empty")]
    public static partial void EmptyTopic(ILogger logger, string remote, string id);

    /// <summary>A PUBLISH topic that does not map to a subject (the reason as nats-server words it).</summary>
    [LoggerMessage(EventId = 633, Level = LogLevel.Debug, Message = "{Remote} - mqtt client {Id}: {Error}")]
    public static partial void InvalidTopic(ILogger logger, string remote, string id, string? error);

    [LoggerMessage(EventId = 634, Level = LogLevel.Error, Message = "{Remote} - mqtt client {Id}: unable to store message for topic {Topic}: {Reason}")]
    public static partial void StoreFailed(ILogger logger, string remote, string id, string topic, string reason);

    [LoggerMessage(EventId = 635, Level = LogLevel.Error, Message = "{Remote} - mqtt client {Id}: unable to store QoS {Qos} message {PacketId}: {Reason}")]
    public static partial void StoreForAckFailed(ILogger logger, string remote, string id, int qos, ushort packetId, string reason);

    [LoggerMessage(EventId = 636, Level = LogLevel.Debug, Message = "{Remote} - mqtt client {Id}: not authorized to subscribe to {Filter}")]
    public static partial void SubscribeNotAuthorized(ILogger logger, string remote, string id, string filter);

    [LoggerMessage(EventId = 637, Level = LogLevel.Error, Message = "{Remote} - mqtt client {Id}: unable to add JetStream consumer for subscription on {Filter}: {Reason}")]
    public static partial void ConsumerNotAdded(ILogger logger, string remote, string id, string filter, string reason);

    [LoggerMessage(EventId = 638, Level = LogLevel.Debug, Message = "{Remote} - mqtt client {Id}: invalid filter {Filter}: {Error}")]
    public static partial void InvalidFilter(ILogger logger, string remote, string id, string filter, string? error);

    [LoggerMessage(EventId = 639, Level = LogLevel.Error, Message = "{Remote} - mqtt client {Id}: QoS 2 message {PacketId} could not be released: {Reason}")]
    public static partial void Qos2NotReleased(ILogger logger, string remote, string id, ushort packetId, string reason);

    [LoggerMessage(EventId = 640, Level = LogLevel.Warning, Message = "{Remote} - mqtt client {Id}: PUBREL {PacketId} not stored: {Reason}")]
    public static partial void PubRelNotStored(ILogger logger, string remote, string id, ushort packetId, string reason);

    [LoggerMessage(EventId = 641, Level = LogLevel.Trace, Message = "{Remote} - mqtt client {Id}: {Count} retained messages for {Filter}")]
    public static partial void RetainedSent(ILogger logger, string remote, string id, int count, string filter);
}
