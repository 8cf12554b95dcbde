using Microsoft.Extensions.Logging;

namespace Nats.Mqtt.Logging;

/// <summary>The MQTT listener: event ids 690–699.</summary>
internal static partial class MqttLog
{
    [LoggerMessage(EventId = 690, Level = LogLevel.Information, Message = "Listening for MQTT clients on {Scheme}://{Address}")]
    public static partial void Listening(ILogger logger, string scheme, string address);

    [LoggerMessage(EventId = 691, Level = LogLevel.Debug, Message = "{Remote} - mqtt TLS handshake error: {Reason}")]
    public static partial void TlsHandshakeError(ILogger logger, System.Net.IPEndPoint? remote, string reason);
}
