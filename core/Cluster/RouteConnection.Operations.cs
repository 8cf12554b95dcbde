using Microsoft.Extensions.Logging;
using Nats.Core.Logging;
using Nats.Core.Connections;
using Nats.Core.Protocol;

namespace Nats.Core.Cluster;

public sealed partial class RouteConnection
{
    private bool _connectReceived;
    private bool _infoReceived;

    // Read loop only: the operation about to run again waited for its account once already.
    private bool _accountAwaited;

    /// <inheritdoc />
    protected override int Parse(Span<byte> data, out int needed)
    {
        needed = 0;
        var options = Server.Options;
        // Route lines carry account, reply and queue lists: nats-server allows 16 times the
        // client limit, and payloads up to the largest a member may accept.
        var maxControlLine = Math.Max(options.MaxControlLine * 16, 64 * 1024);
        var maxPayload = Math.Max(options.MaxPayload, 64L * 1024 * 1024);
        var position = 0;
        long messages = 0;
        long bytes = 0;
        try
        {
            while (position < data.Length && !IsClosed)
            {
                var status = RouteProtocolParser.Parse(data[position..], maxControlLine, maxPayload, out var command, out var consumed, out needed);
                if (status == ParseStatus.NeedMore)
                {
                    break;
                }
                if (status != ParseStatus.Complete)
                {
                    if (Server.LogLimits.ProtocolErrors.Allow(Log, LogLevel.Error))
                    {
                        RouteLog.ProtocolError(Log, this, status.ToString(), ProtocolSnippet.Quote(data[position..]));
                    }
                    Close(status == ParseStatus.UnknownOperation ? ClosedReason.ProtocolViolation : ClosedReason.ParseError,
                        status == ParseStatus.UnknownOperation ? ProtocolErrors.UnknownOperation : null);
                    break;
                }
                if (!_accountAwaited)
                {
                    // An operation run again after its account resolved was traced the first time.
                    TraceReceived(data.Slice(position, consumed), command.Op == RouteOp.Message);
                }
                if (!Execute(ref command))
                {
                    break;   // it waits for the account it names; parsed again from here once resolved
                }
                position += consumed;
                if (command.Op == RouteOp.Message)
                {
                    messages++;
                    bytes += command.Headers.Length + command.Payload.Length;
                }
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

    /// <summary>Runs one operation; false when it must wait for the account it names (parsing pauses, nothing was done).</summary>
    private bool Execute(ref RouteCommand command)
    {
        if (!DidSolicit && !_connectReceived && command.Op != RouteOp.Connect)
        {
            // An accepted route must introduce itself with CONNECT first.
            Close(ClosedReason.AuthenticationViolation, ProtocolErrors.AuthorizationViolation);
            return true;
        }
        switch (command.Op)
        {
            case RouteOp.Connect:
                ProcessConnect(command.Argument);
                break;
            case RouteOp.Info:
                ProcessInfo(command.Argument);
                break;
            case RouteOp.Ping:
                Send("PONG\r\n"u8);
                break;
            case RouteOp.Pong:
                OnPong();
                break;
            case RouteOp.RemoteSub:
            case RouteOp.LeafSub:
                var account = _manager.FindAccount(command.Account, out var pending);
                if (WaitsForAccount(pending))
                {
                    return false;
                }
                AddRemoteInterest(account, command.Account, command.Subject, command.Queue, command.QueueWeight, command.Origin);
                break;
            case RouteOp.RemoteUnsub:
            case RouteOp.LeafUnsub:
                RemoveRemoteInterest(command.Account, command.Subject, command.Queue);
                break;
            case RouteOp.Message:
                return DeliverInbound(ref command);
            case RouteOp.Err:
                if (Server.LogLimits.RouteErrors.Allow(Log, LogLevel.Error))
                {
                    RouteLog.RouteError(Log, this, Text(TrimQuotes(command.Argument)));
                }
                Close(ClosedReason.ParseError);
                break;
            case RouteOp.Ok:
            case RouteOp.AccountSub:
            case RouteOp.AccountUnsub:
                break;
        }
        return true;
    }

    /// <summary>
    /// An operation naming an account only a resolver may know: parsing pauses until the
    /// resolver answered (never blocking the read loop's thread, which may complete other
    /// connections' socket operations), then the operation runs again and takes the answer,
    /// found or not (no second wait).
    /// </summary>
    private bool WaitsForAccount(Task? pending)
    {
        if (pending is null || _accountAwaited)
        {
            _accountAwaited = false;
            return false;
        }
        _accountAwaited = true;
        PauseParsingUntil(new ValueTask(pending));
        return true;
    }

    private void ProcessConnect(ReadOnlySpan<byte> json)
    {
        var connect = RouteConnect.Parse(json);
        if (connect is null)
        {
            Close(ClosedReason.ProtocolViolation);
            return;
        }
        if (!string.IsNullOrEmpty(connect.Lang))
        {
            // A client dialled the route port.
            Close(ClosedReason.ProtocolViolation, "attempted to connect to route port");
            return;
        }
        var rejection = _manager.CheckConnect(connect);
        if (rejection is not null)
        {
            if (Server.LogLimits.RouteErrors.Allow(Log, LogLevel.Error))
            {
                RouteLog.Rejecting(Log, this, rejection.Value.Reason);
            }
            Close(rejection.Value.CloseReason, rejection.Value.Reason);
            return;
        }
        _connectReceived = true;
        HeadersEnabled = connect.Headers && !Server.Options.NoHeaderSupport;
    }

    private void ProcessInfo(ReadOnlySpan<byte> json)
    {
        var info = RouteInfo.Parse(json);
        if (info is null || string.IsNullOrEmpty(info.ServerId))
        {
            Close(ClosedReason.ProtocolViolation);
            return;
        }
        if (!_infoReceived)
        {
            _infoReceived = true;
            _manager.OnFirstInfo(this, info);
        }
        else
        {
            _manager.OnInfoUpdate(this, info);
        }
    }

    /// <summary>The text of <c>-ERR 'text'</c> without nats-server's quotes.</summary>
    private static ReadOnlySpan<byte> TrimQuotes(ReadOnlySpan<byte> argument)
    {
        var text = argument.Trim(" \t"u8);
        return text.Length >= 2 && text[0] == (byte)'\'' && text[^1] == (byte)'\'' ? text[1..^1] : text;
    }
}
