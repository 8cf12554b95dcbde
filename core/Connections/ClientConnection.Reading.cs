using Microsoft.Extensions.Logging;
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
        var trace = Server.TraceProtocol;
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
                    OnParseError(status, command.Op, data[position..]);
                    break;
                }
                if (trace)
                {
                    TraceReceived(command.Op, data.Slice(position, consumed));
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

    /// <summary>
    /// Closes the connection for bytes that are not the client protocol, logging why with a
    /// quoted snippet of them (nats-server's parser errors, rate limited across the server).
    /// </summary>
    private void OnParseError(ParseStatus status, ClientOp op, ReadOnlySpan<byte> offending)
    {
        switch (status)
        {
            case ParseStatus.UnknownOperation:
                LogProtocolError($"Client parser ERROR: proto='{ProtocolSnippet.Quote(offending)}...'");
                Close(ClosedReason.ProtocolViolation, ProtocolErrors.UnknownOperation);
                break;
            case ParseStatus.ControlLineTooLong:
                LogProtocolError($"Maximum Control Line Exceeded: max_control_line {Server.Options.MaxControlLine} (snip: {ProtocolSnippet.Quote(offending)}...)");
                Close(ClosedReason.MaxControlLineExceeded, ProtocolErrors.MaxControlLine);
                break;
            case ParseStatus.PayloadTooLarge:
                LogProtocolError($"Maximum Payload Exceeded: {DeclaredSize(ControlLine(offending))} vs {_limits.Payload(Server.Options.MaxPayload)}");
                Close(ClosedReason.MaxPayloadExceeded, ProtocolErrors.MaxPayload);
                break;
            default:
                // nats-server closes on malformed arguments without an -ERR, naming the operation.
                LogProtocolError($"{OperationName(op)} Parse Error: {ProtocolSnippet.Quote(Arguments(ControlLine(offending)), Server.Options.MaxControlLine)}");
                Close(ClosedReason.ProtocolViolation);
                break;
        }
    }

    /// <summary>An error about what this client sent, at nats-server's level, within the server's log rate.</summary>
    private void LogProtocolError(string text)
    {
        if (Server.LogLimits.ProtocolErrors.Allow(Log, LogLevel.Error))
        {
            Logging.ConnectionLog.ProtocolError(Log, this, text);
        }
    }

    private static string OperationName(ClientOp op) => op switch
    {
        ClientOp.Pub => "processPub",
        ClientOp.HPub => "processHeaderPub",
        ClientOp.Sub => "processSub",
        ClientOp.Unsub => "processUnsub",
        _ => "process",
    };

    private static ReadOnlySpan<byte> ControlLine(ReadOnlySpan<byte> data)
    {
        var end = data.IndexOf((byte)'\n');
        var line = end < 0 ? data : data[..end];
        return !line.IsEmpty && line[^1] == (byte)'\r' ? line[..^1] : line;
    }

    private static ReadOnlySpan<byte> Arguments(ReadOnlySpan<byte> line)
    {
        var space = line.IndexOfAny((byte)' ', (byte)'\t');
        return space < 0 ? [] : line[(space + 1)..].TrimStart(" \t"u8);
    }

    private static string DeclaredSize(ReadOnlySpan<byte> line)
    {
        var trimmed = line.TrimEnd(" \t"u8);
        var space = trimmed.LastIndexOfAny((byte)' ', (byte)'\t');
        return System.Text.Encoding.ASCII.GetString(space < 0 ? trimmed : trimmed[(space + 1)..]);
    }
}
