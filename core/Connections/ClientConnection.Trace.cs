using System.Text;
using Nats.Core.Logging;
using Nats.Core.Protocol;
using Nats.Core.Subjects;

namespace Nats.Core.Connections;

/// <summary>
/// The client's protocol trace (<c>-V</c>): what it sent, what it was sent, and the
/// subscriptions the server removed, as nats-server's <c>[TRC]</c> lines word them. Called
/// only when <see cref="NatsServer.TraceProtocol"/> is on.
/// </summary>
public sealed partial class ClientConnection
{
    /// <summary>
    /// Traces one parsed operation: <paramref name="operation"/> is its bytes in the receive
    /// buffer, control line and payload. nats-server does not trace a client's INFO, -ERR or +OK.
    /// </summary>
    private void TraceReceived(ClientOp op, ReadOnlySpan<byte> operation)
    {
        var name = op switch
        {
            ClientOp.Pub => "PUB",
            ClientOp.HPub => "HPUB",
            ClientOp.Sub => "SUB",
            ClientOp.Unsub => "UNSUB",
            ClientOp.Connect => "CONNECT",
            ClientOp.Ping => "PING",
            ClientOp.Pong => "PONG",
            _ => null,
        };
        if (name is null)
        {
            return;
        }
        var lineEnd = operation.IndexOf((byte)'\n') + 1;
        var line = ProtocolTrace.Operation(name, operation[..lineEnd]);
        TraceLog.Received(Log, this, op == ClientOp.Connect ? ProtocolTrace.RedactConnect(line) : line);
        if (op is ClientOp.Pub or ClientOp.HPub)
        {
            // Headers and payload, without the CR LF that ends them.
            var payload = operation[lineEnd..^2];
            var traced = ProtocolTrace.Payload(payload, Server.Options.Logging.MaxTracedMessageLength);
            if (Kind.IsClient && Account.Mappings is not null)
            {
                // nats-server traces a mapping between the PUB line and its payload.
                _deferredPayloadTrace = traced;
                return;
            }
            TraceLog.ReceivedPayload(Log, this, traced);
        }
    }

    /// <summary>
    /// nats-server 2.10's <c>&lt;&lt;- [MAPPING original -&gt; mapped]</c> for a mapped publish,
    /// then the payload held back by <see cref="TraceReceived"/> (a plugin's publish has none).
    /// </summary>
    private void TraceMapping(ReadOnlySpan<byte> original, byte[]? mapped, string? payloadTrace)
    {
        if (mapped is { Length: > 0 })
        {
            TraceLog.Received(Log, this, $"MAPPING {Encoding.UTF8.GetString(original)} -> {Encoding.UTF8.GetString(mapped)}");
        }
        if (payloadTrace is not null)
        {
            TraceLog.ReceivedPayload(Log, this, payloadTrace);
        }
    }

    /// <summary>Traces the control line of a delivered message (nats-server does not trace its payload).</summary>
    private void TraceDelivered(ReadOnlySpan<byte> controlLine) =>
        TraceLog.Sent(Log, this, Encoding.UTF8.GetString(controlLine.TrimEnd("\r\n"u8)));

    /// <summary>Traces a subscription the server removed (UNSUB, its max reached, or the close).</summary>
    private void TraceRemoved(Subscription subscription) =>
        TraceLog.Internal(Log, this, $"DELSUB {Encoding.UTF8.GetString(subscription.Sid)}");

    /// <inheritdoc />
    private protected override void TraceSent(ReadOnlySpan<byte> data)
    {
        if (ProtocolTrace.Sent(data) is { } line)
        {
            TraceLog.Sent(Log, this, line);
        }
    }
}
