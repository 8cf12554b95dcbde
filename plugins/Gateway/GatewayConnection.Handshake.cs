using System.Text;
using Microsoft.Extensions.Logging;
using Nats.Core.Connections;

namespace Nats.Gateway;

internal sealed partial class GatewayConnection
{
    /// <summary>
    /// As nats-server's <c>createGateway</c>: TLS first when required (dialled: the remote's set,
    /// else the gateway block's; accepted: the gateway block's), then an accepted connection
    /// sends our INFO; a dialled one waits for the remote's INFO before CONNECT and INFO.
    /// </summary>
    protected override async ValueTask<bool> HandshakeAsync()
    {
        if (IsOutbound)
        {
            GatewayLog.CreatingOutbound(Logger, this, _remote!.Name);
            var set = _manager.OutboundTlsSet(_remote);
            if (set is not null && !await UpgradeToTlsAsync(set, _remote.TlsHost ?? _url!.IdnHost).ConfigureAwait(false))
            {
                return false;
            }
            return true;
        }
        GatewayLog.ProcessingInbound(Logger, this);
        if (_manager.InboundTlsRequired && !await UpgradeToTlsAsync(GatewayManager.TlsSetName).ConfigureAwait(false))
        {
            return false;
        }
        Send(_manager.InfoLine);
        return true;
    }

    private void ProcessConnect(ReadOnlySpan<byte> json)
    {
        if (IsOutbound)
        {
            return;
        }
        var connect = GatewayConnect.Parse(json);
        if (connect is null)
        {
            Close(ClosedReason.ProtocolViolation);
            return;
        }
        if (string.IsNullOrEmpty(connect.Gateway))
        {
            GatewayLog.Rejecting(Logger, this, "attempted to connect to gateway port");
            Close(ClosedReason.WrongPort, "attempted to connect to gateway port");
            return;
        }
        if (!_manager.IsAuthorized(connect))
        {
            GatewayLog.Rejecting(Logger, this, "Authorization Error");
            Close(ClosedReason.AuthenticationViolation, "Authorization Violation");
            return;
        }
        if (_manager.RejectUnknown && !_manager.IsConfigured(connect.Gateway))
        {
            GatewayLog.Rejecting(Logger, this, $"Rejecting connection from gateway \"{connect.Gateway}\"");
            Close(ClosedReason.WrongGateway, $"Connection to gateway \"{_manager.Name}\" rejected");
            return;
        }
        _connectReceived = true;
        _headers = connect.Headers && !Server.Options.NoHeaderSupport;
    }

    private void ProcessInfo(ReadOnlySpan<byte> json)
    {
        var info = GatewayInfo.Parse(json);
        if (info is null)
        {
            Close(ClosedReason.ProtocolViolation);
            return;
        }
        var first = !_infoReceived;
        _infoReceived = true;
        if (IsOutbound)
        {
            ProcessOutboundInfo(info, first);
        }
        else if (first)
        {
            if (!_connectReceived)
            {
                Close(ClosedReason.AuthenticationViolation, "Authorization Violation");
                return;
            }
            _remoteName = info.Gateway;
            _remoteInfo = info;
            _manager.RegisterInbound(this, info);
        }
    }

    /// <summary>nats-server's <c>processGatewayInfo</c> for the dialled side.</summary>
    private void ProcessOutboundInfo(GatewayInfo info, bool first)
    {
        var name = _remote!.Name;
        if (string.IsNullOrEmpty(info.Gateway))
        {
            var text = $"Attempt to connect to gateway \"{name}\" using wrong port";
            GatewayLog.Rejecting(Logger, this, text);
            Close(ClosedReason.WrongPort, text);
            return;
        }
        if (info.Gateway != name)
        {
            if (!first && info.GatewayCmd == GatewayInfo.CommandGossip)
            {
                if (!_manager.RejectUnknown || _manager.IsConfigured(info.Gateway))
                {
                    _manager.LearnImplicit(info.Gateway, info.GatewayUrls);
                }
                return;
            }
            GatewayLog.WrongRemoteName(Logger, this, name, info.Gateway);
            Close(ClosedReason.WrongGateway, $"Connection from \"{_manager.Name}\" rejected, wanted to connect to \"{name}\", this is \"{info.Gateway}\"");
            return;
        }
        if (info.GatewayUrls is { Count: > 0 } urls)
        {
            _remote.AddUrls(urls);
        }
        if (first)
        {
            _remoteInfo = info;
            _interestOnlyPeer = info.GatewayIom;
            _useOldPrefix = !info.GatewayNrp;
            _headers = info.Headers && !Server.Options.NoHeaderSupport;
            Send(_manager.BuildConnect(_url!, _remote).ToLine());
            Send(_manager.InfoLine);
            if (!_manager.RegisterOutbound(this))
            {
                Close(ClosedReason.WrongGateway);
                return;
            }
            GatewayLog.OutboundRegistered(Logger, this, name, info.ServerId);
            if (!_interestOnlyPeer)
            {
                _outbound!.StartOptimistic(_manager.Server.Accounts.All);
            }
            // The rest of our cluster dials it too (nats-server floods after every plain outbound INFO).
            _manager.ForwardToCluster(name, info.GatewayUrls);
            return;
        }
        switch (info.GatewayCmd)
        {
            case GatewayInfo.CommandAllSubsStart:
                if (AccountOf(info) is { } starting)
                {
                    _outbound!.BeginInterestOnly(starting);
                }
                break;
            case GatewayInfo.CommandAllSubsComplete:
                if (AccountOf(info) is { } complete)
                {
                    _outbound!.CompleteInterestOnly(complete);
                }
                break;
            case 0:
                // The remote cluster's URLs changed (a member came or went): our peers learn them.
                _manager.ForwardToCluster(name, info.GatewayUrls);
                break;
            case GatewayInfo.CommandGossip:
                break;
            default:
                GatewayLog.UnknownCommand(Logger, info.GatewayCmd, name);
                break;
        }
    }

    private Nats.Core.Accounts.Account? AccountOf(GatewayInfo info)
    {
        if (info.GatewayCmdPayload is { Length: > 0 } payload)
        {
            return _manager.Accounts.Find(payload);
        }
        var which = info.GatewayCmd == GatewayInfo.CommandAllSubsStart ? "start" : "complete";
        Close(ClosedReason.ProtocolViolation, $"Account absent from receive-all-subscriptions-{which} command");
        return null;
    }
}
