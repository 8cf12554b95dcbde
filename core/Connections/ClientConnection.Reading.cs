using Nats.Core.Protocol;

namespace Nats.Core.Connections;

public sealed partial class ClientConnection
{
    /// <summary>
    /// Parses and executes every complete operation in <paramref name="data"/>, inside one
    /// flush batch, so every connection written to is flushed once at the end.
    /// </summary>
    private protected override int ProcessBuffer(Span<byte> data, out int needed)
    {
        needed = 0;
        var options = Server.Options;
        var maxPayload = _limits.Payload(options.MaxPayload);
        var position = 0;
        long messages = 0;
        long bytes = 0;
        Batch.Begin();
        try
        {
            while (position < data.Length && !IsClosed)
            {
                var status = ClientProtocolParser.Parse(
                    data[position..], options.MaxControlLine, maxPayload, out var command, out var consumed, out needed);
                if (status == ParseStatus.NeedMore)
                {
                    break;
                }
                if (status != ParseStatus.Complete)
                {
                    OnParseError(status);
                    break;
                }
                position += consumed;
                if (command.Op is ClientOp.Pub or ClientOp.HPub)
                {
                    messages++;
                    bytes += command.Headers.Length + command.Payload.Length;
                }
                Execute(ref command);
                if (HasPendingOperation)
                {
                    break;
                }
            }
        }
        finally
        {
            if (messages > 0)
            {
                CountInbound(messages, bytes);
                Account.CountIn(messages, bytes);
                Server.Statistics.CountIn(messages, bytes);
            }
            Batch.End();
        }
        return position;
    }

    private void OnParseError(ParseStatus status)
    {
        switch (status)
        {
            case ParseStatus.UnknownOperation:
                Close(ClosedReason.ProtocolViolation, ProtocolErrors.UnknownOperation);
                break;
            case ParseStatus.ControlLineTooLong:
                Close(ClosedReason.MaxControlLineExceeded, ProtocolErrors.MaxControlLine);
                break;
            case ParseStatus.PayloadTooLarge:
                Close(ClosedReason.MaxPayloadExceeded, ProtocolErrors.MaxPayload);
                break;
            default:
                // nats-server closes on malformed arguments without an -ERR.
                Close(ClosedReason.ProtocolViolation);
                break;
        }
    }
}
