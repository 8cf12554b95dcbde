using Microsoft.Extensions.Logging;
using Nats.Core.Connections;
using Nats.Core.Protocol;
using Nats.Leafnode.Protocol;

namespace Nats.Leafnode.Links;

public sealed partial class LeafConnection
{
    /// <inheritdoc />
    protected override int Parse(Span<byte> data, out int needed)
    {
        needed = 0;
        var options = Server.Options;
        // Leaf lines carry reply and queue lists: allow well beyond the client limit, as routes do.
        var maxControlLine = Math.Max(options.MaxControlLine * 16, 64 * 1024);
        var maxPayload = Math.Max(options.MaxPayload, 64L * 1024 * 1024);
        var position = 0;
        long messages = 0;
        long bytes = 0;
        try
        {
            while (position < data.Length && !IsClosed && !IsParsingPaused)
            {
                var status = LeafProtocolParser.Parse(data[position..], maxControlLine, maxPayload, out var command, out var consumed, out needed);
                if (status == LeafParseStatus.NeedMore)
                {
                    break;
                }
                if (status != LeafParseStatus.Complete)
                {
                    LeafLog.ProtocolError(Logger, this, status);
                    Close(status == LeafParseStatus.UnknownOperation ? ClosedReason.ProtocolViolation : ClosedReason.ParseError,
                        status == LeafParseStatus.UnknownOperation ? ProtocolErrors.UnknownOperation : null);
                    break;
                }
                TraceReceived(data.Slice(position, consumed), command.Op == LeafOp.Message);
                position += consumed;
                if (command.Op == LeafOp.Message)
                {
                    messages++;
                    bytes += command.Headers.Length + command.Payload.Length;
                }
                Execute(ref command);
            }
        }
        finally
        {
            if (messages > 0)
            {
                CountReceived(messages, bytes);
            }
        }
        return position;
    }

    private void Execute(ref LeafCommand command)
    {
        switch (command.Op)
        {
            case LeafOp.Ping:
                Send("PONG\r\n"u8);
                return;
            case LeafOp.Pong:
                OnPong();
                return;
            case LeafOp.Err:
                ProcessError(command.Argument);
                return;
            case LeafOp.Ok:
                return;
        }
        if (!DidSolicit && !_connectReceived && command.Op != LeafOp.Connect)
        {
            // An accepted leaf must introduce itself with CONNECT first.
            Close(ClosedReason.AuthenticationViolation, ProtocolErrors.AuthorizationViolation);
            return;
        }
        switch (command.Op)
        {
            case LeafOp.Connect:
                ProcessConnect(command.Argument);
                break;
            case LeafOp.Info:
                ProcessInfo(command.Argument);
                break;
            case LeafOp.Sub:
                ProcessRemoteSub(ref command);
                break;
            case LeafOp.Unsub:
                ProcessRemoteUnsub(ref command);
                break;
            case LeafOp.Message:
                DeliverInbound(ref command);
                break;
        }
    }
}
