using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Nats.Core.Connections;
using Nats.Core.Protocol;
using Nats.Leafnode.Auth;
using Nats.Leafnode.Protocol;

namespace Nats.Leafnode.Links;

public sealed partial class LeafConnection
{
    /// <summary>How long a soliciting leaf waits for the hub's answer to CONNECT (nats-server's connectProcessTimeout).</summary>
    private static readonly TimeSpan ConnectProcessTimeout = TimeSpan.FromSeconds(2);

    // Read loop only (the heartbeat reads the deadlines, a torn read only delays a check).
    private string? _nonce;
    private bool _connectReceived;
    private bool _infoReceived;
    private long _handshakeDeadline;
    private bool _tlsRequiredByHub;
    private bool _hubAnswersConnect = true;
    private string? _remoteDomain;   // the hub's JetStream domain (solicited links)

    // The accepted leaf's CONNECT, kept to authorize it again after a reload (read loop writes it once).
    private volatile LeafConnectInfo? _connect;

    /// <summary>
    /// After a reload changed the hub's leaf authorization: authenticates the leaf again with
    /// what it sent; a leaf no longer allowed, or now bound elsewhere, is closed.
    /// </summary>
    internal async Task ReauthorizeAsync(Config.LeafnodeOptions options)
    {
        if (DidSolicit || _connect is not { } connect || !_registered)
        {
            return;
        }
        var outcome = await LeafHubAuthenticator.AuthenticateAsync(Server, options, connect, _nonce ?? "", Tls?.PeerCertificate, RemoteEndPoint, Server.ShutdownToken).ConfigureAwait(false);
        if (!outcome.IsAccepted || !ReferenceEquals(outcome.Account, _account))
        {
            LeafLog.ReloadAuthenticationError(Logger, this, outcome.Reason ?? "bound to another account");
            Close(ClosedReason.AuthenticationViolation, ProtocolErrors.AuthorizationViolation);
        }
    }

    /// <summary>The hub's first INFO line for an accepted leaf: the nonce it signs and our client id for it.</summary>
    internal byte[] BuildFirstInfo() => _manager.BuildInfo(Id, _nonce, connectInfo: false, account: null, isSystem: false, permissions: null).ToProtocolLine();

    /// <summary>
    /// Accepted: the INFO was already written on the socket; a TLS listener now does the
    /// server handshake (nats-server sends INFO in the clear first), or with
    /// <c>handshake_first</c> the handshake and then the INFO. Solicited: the hub's INFO was read
    /// before this link started; TLS when the hub requires it or the remote has a <c>tls</c>
    /// block, then our CONNECT (with <c>handshake_first</c>: TLS, then the INFO is awaited). Over a
    /// WebSocket neither side does TLS here.
    /// </summary>
    protected override async ValueTask<bool> HandshakeAsync()
    {
        if (!DidSolicit)
        {
            // Over a WebSocket, TLS (wss) was the WebSocket listener's business.
            if (_manager.ListenerTls && !IsWebSocket && !await UpgradeToTlsAsync(LeafManager.ListenerTlsSet).ConfigureAwait(false))
            {
                return false;
            }
            if (TlsFirst)
            {
                Send(BuildFirstInfo());   // handshake_first: the INFO withheld until now goes over TLS
            }
            _handshakeDeadline = Stopwatch.GetTimestamp() + (long)(_options.AuthTimeout.TotalSeconds * Stopwatch.Frequency);
            return true;
        }
        var remote = Remote!;
        if (TlsFirst)
        {
            // handshake_first: TLS before anything; the hub's INFO then arrives on the read loop
            // (ProcessInfo sends CONNECT), within the time CONNECT's answer gets.
            if (!await UpgradeRemoteToTlsAsync(remote).ConfigureAwait(false))
            {
                return false;
            }
            _handshakeDeadline = Stopwatch.GetTimestamp() + (long)(ConnectProcessTimeout.TotalSeconds * Stopwatch.Frequency);
            return true;
        }
        if (!IsWebSocket && (_tlsRequiredByHub || remote.Tls is not null) && !await UpgradeRemoteToTlsAsync(remote).ConfigureAwait(false))
        {
            return false;
        }
        return SendConnect(remote);
    }

    /// <summary>The TLS client handshake of a solicited link, with the remote's TLS set.</summary>
    private async ValueTask<bool> UpgradeRemoteToTlsAsync(Config.RemoteLeafOptions remote)
    {
        var set = _manager.RemoteTlsSet(remote);
        if (set is null)
        {
            LeafLog.NoTlsForRemote(Logger, this, remote.SafeName);
            Close(ClosedReason.TlsHandshakeError);
            return false;
        }
        return await UpgradeToTlsAsync(set, Url!.IdnHost).ConfigureAwait(false);
    }

    /// <summary>
    /// Our CONNECT to the hub (the hub's first INFO is known): then we wait for its answer, or
    /// with a hub that does not answer CONNECT the link is up at once.
    /// </summary>
    private bool SendConnect(Config.RemoteLeafOptions remote)
    {
        try
        {
            Send(BuildConnect(remote));
        }
        catch (InvalidOperationException e)
        {
            // An unreadable or malformed credentials file: logged as nats-server does, retried later.
            LeafLog.Refused(Logger, this, e.Message);
            Close(ClosedReason.AuthenticationViolation);
            return false;
        }
        _handshakeDeadline = Stopwatch.GetTimestamp() + (long)(ConnectProcessTimeout.TotalSeconds * Stopwatch.Frequency);
        if (!_hubAnswersConnect)
        {
            // A hub that does not answer CONNECT with an INFO (no info_on_connect): the link is
            // up once CONNECT is sent, as nats-server's leafNodeFinishConnectProcess.
            FinishSolicitedConnect();
        }
        return true;
    }

    /// <summary>
    /// Binds the remote's local account and registers the link. An account a resolver has to
    /// fetch first holds up parsing until it is known (never the read loop's thread).
    /// </summary>
    private void FinishSolicitedConnect()
    {
        var lookup = _manager.LocalAccountAsync(Remote!, Server.ShutdownToken);
        if (lookup.IsCompletedSuccessfully)
        {
            BindSolicited(lookup.Result);
            return;
        }
        PauseParsingUntil(ResumeAfterAsync(lookup, BindSolicited));
    }

    /// <summary>
    /// Awaits what a paused handshake step waits for (an account lookup, an authenticator), then
    /// goes on with <paramref name="resume"/> unless the link closed meanwhile; a shutdown closes it.
    /// </summary>
    private async ValueTask ResumeAfterAsync<T>(ValueTask<T> pending, Action<T> resume)
    {
        T result;
        try
        {
            result = await pending.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Close(ClosedReason.ServerShutdown);
            return;
        }
        if (!IsClosed)
        {
            resume(result);
        }
    }

    private void BindSolicited(Core.Accounts.Account? account)
    {
        _account = account;
        if (account is null)
        {
            LeafLog.MissingAccount(Logger, this, _manager.LocalAccountName(Remote!));
            Close(ClosedReason.MissingAccount);
            return;
        }
        if (_manager.Register(this))
        {
            Registered();
        }
    }

    /// <inheritdoc />
    protected override void OnLinkStarted()
    {
        var suffix = DidSolicit ? $" for account: {_manager.LocalAccountName(Remote!)}" : "";
        LeafLog.Created(Logger, this, suffix);
    }

    /// <inheritdoc />
    protected override void OnLinkHeartbeat(long now)
    {
        if (_registered || _handshakeDeadline == 0 || now < _handshakeDeadline)
        {
            return;
        }
        if (DidSolicit)
        {
            Close(ClosedReason.StaleConnection, "Stale Leaf Node Connection - Closing");
        }
        else
        {
            LeafLog.AuthenticationTimeout(Logger, this);
            Close(ClosedReason.AuthenticationTimeout, ProtocolErrors.AuthenticationTimeout);
        }
    }

    /// <summary>Keeps what the solicitor needs from the hub's first INFO (read before the link started).</summary>
    private void AcceptFirstInfo(LeafInfo info)
    {
        _infoReceived = true;
        _hubAnswersConnect = info.InfoOnConnect;
        _nonce = info.Nonce;
        _tlsRequiredByHub = info.TlsRequired;
        HeadersEnabled = info.Headers && !Server.Options.NoHeaderSupport;
        RemoteServerName = string.IsNullOrEmpty(info.ServerName) ? info.ServerId : info.ServerName;
        RemoteCluster = info.Cluster;
        _remoteDomain = info.Domain;
    }

    /// <summary>nats-server's <c>sendLeafConnect</c>: who we are, and the remote's credentials.</summary>
    private byte[] BuildConnect(Config.RemoteLeafOptions remote)
    {
        var (jwt, nkey, sig, user, password, token) = LeafSolicitCredentials.For(remote, Url!, _nonce);
        var connect = new LeafConnectInfo
        {
            Version = _manager.ServerVersion,
            Jwt = jwt,
            NKey = nkey,
            Signature = sig,
            User = user,
            Password = password,
            Token = token,
            TlsRequired = Tls is not null && !IsWebSocket,   // nats-server sends false over a WebSocket
            ServerId = Server.ServerId,
            Name = Server.Name,
            IsHub = remote.Hub,
            Cluster = string.IsNullOrEmpty(Server.Options.Cluster.Name) ? null : Server.Options.Cluster.Name,
            Headers = !Server.Options.NoHeaderSupport,
            // nats-server's s.info.Domain (the hub decides its denies with it) and
            // c.acc.jetStreamConfigured() of the remote's local account (informational).
            Domain = Server.Info.Domain,
            JetStream = Server.Accounts.Find(_manager.LocalAccountName(remote))?.HasCapability(Core.Accounts.AccountCapabilities.JetStream) == true,
            DenyPub = remote.DenyImports.Count > 0 ? [.. remote.DenyImports] : null,
        };
        return connect.ToProtocolLine();
    }

    /// <summary>
    /// Hub side: a leaf's CONNECT. Refuses clients and gateways on the leaf port and a leaf of
    /// our own cluster, authenticates (<see cref="LeafHubAuthenticator"/>), then answers with
    /// the INFO naming the bound account and sends the account's interest.
    /// </summary>
    private void ProcessConnect(ReadOnlySpan<byte> json)
    {
        if (DidSolicit || _connectReceived)
        {
            return;   // nats-server ignores a second CONNECT
        }
        _connectReceived = true;
        var connect = LeafConnectInfo.Parse(json);
        if (connect is null)
        {
            Close(ClosedReason.ParseError, "Invalid Leafnode Connect");
            return;
        }
        if (!string.IsNullOrEmpty(connect.Lang))
        {
            LeafLog.ClientOnLeafPort(Logger, this);
            Close(ClosedReason.ProtocolViolation, "attempted to connect to leaf node port");
            return;
        }
        if (!string.IsNullOrEmpty(connect.Gateway))
        {
            var text = $"Rejecting connection from gateway \"{connect.Gateway}\" on the leafnode port";
            LeafLog.Refused(Logger, this, text);
            Close(ClosedReason.ProtocolViolation, text);
            return;
        }
        var cluster = Server.Options.Cluster.Name;
        if (!string.IsNullOrEmpty(cluster) && connect.Cluster == cluster)
        {
            LeafLog.SameClusterName(Logger, this);
            Close(ClusterNameConflict, "remote leafnode has same cluster name");
            return;
        }

        if (_options.MinVersion.Length > 0 && !VersionAtLeast(connect.Version, _options.MinVersion))
        {
            var text = $"connection rejected since minimum version required is \"{_options.MinVersion}\"";
            LeafLog.Refused(Logger, this, text);
            Close(ClosedReason.ProtocolViolation, text);
            return;
        }

        var pending = LeafHubAuthenticator.AuthenticateAsync(Server, _options, connect, _nonce ?? "", Tls?.PeerCertificate, RemoteEndPoint, Server.ShutdownToken);
        if (pending.IsCompletedSuccessfully)
        {
            CompleteConnect(connect, pending.Result);
            return;
        }
        // Bcrypt, a plugin's authenticator or an account resolver answer later: the read loop
        // awaits them (parsing nothing more before the account is bound) and its thread, which
        // may complete other connections' socket operations, goes on serving them.
        PauseParsingUntil(ResumeAfterAsync(pending, outcome => CompleteConnect(connect, outcome)));
    }

    /// <summary>Hub side: the leaf authenticated (or not): binds it to its account, answers with INFO and registers it.</summary>
    private void CompleteConnect(LeafConnectInfo connect, LeafAuthOutcome outcome)
    {
        if (!outcome.IsAccepted)
        {
            LeafLog.AuthenticationError(Logger, this, outcome.Reason);
            Close(ClosedReason.AuthenticationViolation, ProtocolErrors.AuthorizationViolation);
            return;
        }
        _connect = connect;
        RemoteServerName = string.IsNullOrEmpty(connect.Name) ? connect.ServerId : connect.Name;
        RemoteCluster = connect.Cluster;
        RemoteAccountOrUser = outcome.User;
        HeadersEnabled = connect.Headers && !Server.Options.NoHeaderSupport;
        _isSpoke = connect.IsHub;   // the peer declared itself the hub: we take the spoke role
        _account = outcome.Account;
        _permissions = LeafPermissions.ForHub(outcome.Permissions, connect.DenyPub);
        if (!_manager.Register(this))
        {
            return;
        }
        Send(_manager.BuildInfo(Id, null, connectInfo: true, account: outcome.Account!.Name, isSystem: outcome.Account.IsSystem, permissions: outcome.Permissions).ToProtocolLine());
        Registered();
    }

    /// <summary>
    /// Solicit side: INFO from the hub after the first one. With <c>connect_info</c> it answers
    /// our CONNECT (authenticated, bound to <c>remote_account</c> there): the link registers and
    /// sends our interest. Others update the hub's URLs.
    /// </summary>
    private void ProcessInfo(ReadOnlySpan<byte> json)
    {
        if (!DidSolicit)
        {
            return;   // an accepted leaf has nothing to tell us by INFO
        }
        var info = LeafInfo.Parse(json);
        if (info is null)
        {
            Close(ClosedReason.ParseError);
            return;
        }
        var first = !_infoReceived;
        if (first)
        {
            if (TlsFirst && (info.ClientId == 0 || info.LeafnodeUrls is null))
            {
                LeafLog.WrongPort(Logger, this);
                Close(ClosedReason.WrongPort);
                return;
            }
            AcceptFirstInfo(info);
        }
        _manager.LearnUrls(Remote!, info);
        if (info.Import is not null || info.Export is not null)
        {
            // The hub's rules for us, with our own deny lists merged in (nats-server's processLeafnodeInfo).
            _permissions = LeafPermissions.ForSpoke(info.Import, info.Export, Remote!.DenyImports, Remote.DenyExports);
        }
        if (first && TlsFirst && !SendConnect(Remote!))
        {
            return;
        }
        if (info.ConnectInfo && !_registered)
        {
            RemoteAccountOrUser = info.RemoteAccount;
            FinishSolicitedConnect();
        }
    }

    /// <summary>The error the peer sent: logged; some delay the next attempt as nats-server's <c>leafProcessErr</c>.</summary>
    private void ProcessError(ReadOnlySpan<byte> argument)
    {
        var text = Encoding.UTF8.GetString(argument).Trim('\'');
        LeafLog.LeafnodeError(Logger, this, text);
        if (DidSolicit)
        {
            if (text.Contains("Loop detected", StringComparison.Ordinal) || text.Contains("remote leafnode has same cluster name", StringComparison.Ordinal)
                || text.StartsWith("Permissions Violation", StringComparison.Ordinal))
            {
                RetryDelay = LeafManager.LoopDelay;
            }
            else if (text.Contains("minimum version required", StringComparison.Ordinal))
            {
                RetryDelay = TimeSpan.FromSeconds(5);
            }
        }
        Close(ClosedReason.ProtocolViolation);
    }

    /// <summary>nats-server's versionAtLeast on "major.minor.patch" (anything unparsable is too old).</summary>
    internal static bool VersionAtLeast(string? version, string minimum)
    {
        static int[]? Parts(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }
            var parts = text.TrimStart('v').Split('-')[0].Split('.');
            if (parts.Length < 3)
            {
                return null;
            }
            var numbers = new int[3];
            for (var i = 0; i < 3; i++)
            {
                if (!int.TryParse(parts[i], out numbers[i]))
                {
                    return null;
                }
            }
            return numbers;
        }
        var have = Parts(version);
        var need = Parts(minimum);
        if (have is null || need is null)
        {
            return false;
        }
        for (var i = 0; i < 3; i++)
        {
            if (have[i] != need[i])
            {
                return have[i] > need[i];
            }
        }
        return true;
    }

    private const ClosedReason ClusterNameConflict = ClosedReason.ClusterNameConflict;
}
