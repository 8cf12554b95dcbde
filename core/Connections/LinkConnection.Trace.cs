using System.Text;
using Nats.Core.Logging;
using Nats.Core.Protocol;

namespace Nats.Core.Connections;

/// <summary>
/// A link's protocol trace (<c>-V</c>): the operations the peer sent and the ones queued for
/// it, as nats-server's <c>[TRC]</c> lines for routes (<c>rid</c>), gateways (<c>gid</c>) and
/// leaf nodes (<c>lid</c>) word them: <c>&lt;&lt;- [RS+ $G foo]</c>, <c>-&gt;&gt; [RMSG $G foo 5]</c>.
/// </summary>
public abstract partial class LinkConnection
{
    /// <summary>
    /// Traces one complete operation the peer sent, before it is executed: call from
    /// <see cref="Parse"/> with the operation's bytes in the receive buffer (control line, then
    /// for a message its headers, payload and CR LF). As nats-server, INFO, <c>+OK</c> and
    /// <c>-ERR</c> are not traced, CONNECT's secrets are redacted, and a message's payload
    /// follows as <c>MSG_PAYLOAD</c>, cut at <c>max_traced_msg_len</c>. Costs two field loads
    /// while tracing is off.
    /// </summary>
    /// <param name="operation">The operation's bytes, from its name to its last CR LF.</param>
    /// <param name="hasPayload">True for a message (RMSG, HMSG, LMSG): a payload follows the control line.</param>
    protected void TraceReceived(ReadOnlySpan<byte> operation, bool hasPayload)
    {
        if (!Server.TraceProtocol)
        {
            return;
        }
        var lineEnd = operation.IndexOf((byte)'\n') + 1;
        var controlLine = lineEnd == 0 ? operation : operation[..lineEnd];
        var name = OperationName(controlLine);
        if (name is "INFO" or "+OK" or "-ERR")
        {
            return;
        }
        var line = ProtocolTrace.Operation(name, controlLine);
        TraceLog.Received(Log, this, name == "CONNECT" ? ProtocolTrace.RedactConnect(line) : line);
        if (hasPayload && lineEnd > 0 && operation.Length >= lineEnd + 2)
        {
            TraceLog.ReceivedPayload(Log, this, ProtocolTrace.Payload(operation[lineEnd..^2], Server.Options.Logging.MaxTracedMessageLength));
        }
    }

    /// <summary>
    /// Traces what <see cref="NatsConnection.Send"/> queues: one line per protocol line (a
    /// route's interest goes out as a batch of RS+ lines). nats-server does not trace the INFO
    /// and CONNECT a link sends (it logs "connect msg sent" at debug instead).
    /// </summary>
    private protected sealed override void TraceSent(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var end = data.IndexOf((byte)'\n');
            var line = end < 0 ? data : data[..(end + 1)];
            data = end < 0 ? default : data[(end + 1)..];
            if (line.StartsWith("CONNECT"u8) || line.StartsWith("INFO"u8))
            {
                continue;
            }
            if (ProtocolTrace.Sent(line) is { Length: > 0 } text)
            {
                TraceLog.Sent(Log, this, text);
            }
        }
    }

    /// <summary>Traces a message's control line queued by <see cref="SendMessage"/> (nats-server traces no outbound payload).</summary>
    private void TraceMessageSent(ReadOnlySpan<byte> line) =>
        TraceLog.Sent(Log, this, Encoding.UTF8.GetString(line.TrimEnd("\r\n"u8)));

    /// <summary>The operation's name in capitals, as nats-server's parser knows it whatever the case sent.</summary>
    private static string OperationName(ReadOnlySpan<byte> controlLine)
    {
        var end = controlLine.IndexOfAny(" \t\r\n"u8);
        var name = end < 0 ? controlLine : controlLine[..end];
        return Encoding.ASCII.GetString(name).ToUpperInvariant();
    }
}
