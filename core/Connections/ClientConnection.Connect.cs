using Microsoft.Extensions.Logging;
using Nats.Core.Logging;
using Nats.Core.Accounts;
using Nats.Core.Plugins;
using Nats.Core.Protocol;
using Nats.Core.Subjects;

namespace Nats.Core.Connections;

public sealed partial class ClientConnection
{
    /// <summary>True once CONNECT was accepted.</summary>
    public bool IsConnected => _connectReceived;

    /// <summary>
    /// Operations other than CONNECT are allowed first only when no authentication is
    /// required, or when a no_auth_user stands in for a client that sends no credentials.
    /// </summary>
    private bool AllowedBeforeConnect()
    {
        if (!Auth.IsAuthRequired)
        {
            return true;
        }
        if (HasNoAuthUser && !HasPendingOperation)
        {
            // An implicit login: nats-server acknowledges nothing here (no +OK even though
            // verbose is on by default), the operation itself answers.
            StartAuthentication(ConnectOptions.Default, acknowledge: false);
            return !HasPendingOperation && !IsClosed;
        }
        AuthenticationViolation(ClosedReason.AuthenticationViolation, "none", "operation before CONNECT");
        return false;
    }

    private void ProcessConnect(ReadOnlySpan<byte> json)
    {
        // A repeated CONNECT updates the options in force, as in nats-server.
        var options = ConnectOptions.Parse(json, Options);
        if (options is null)
        {
            // Invalid JSON: nats-server closes without an -ERR.
            Close(ClosedReason.ProtocolViolation);
            return;
        }
        // A websocket client's cookies stand in for credentials its CONNECT leaves out.
        Listener.ConnectDefaults?.ApplyTo(options);
        if (options.Account is not null || options.NewAccount)
        {
            AuthenticationViolation(ClosedReason.AuthenticationViolation, "connect", "account or new_account in CONNECT");
            return;
        }
        StartAuthentication(options, acknowledge: true);
    }

    private void StartAuthentication(ConnectOptions options, bool acknowledge)
    {
        Options = options;
        _connectReceived = true;
        // From now on the log shows the client's version, language and name, as nats-server's does.
        _logName = null;
        _headersEnabled = options.Headers && !Server.Options.NoHeaderSupport;
        // A (repeated) CONNECT is judged afresh: no authorization in force is offered.
        var pending = Auth.AuthenticateAsync(AuthenticationContext(current: null), Server.ShutdownToken, Listener.NoAuthUser);
        if (pending.IsCompletedSuccessfully && !NeedsAccountResolution(pending.Result))
        {
            CompleteConnect(pending.Result, acknowledge);
            return;
        }
        WaitBeforeNextOperation(AwaitAuthenticationAsync(pending, acknowledge));
    }

    private async ValueTask AwaitAuthenticationAsync(ValueTask<AuthResult> pending, bool acknowledge)
    {
        AuthResult result;
        try
        {
            result = await pending.ConfigureAwait(false);
            if (NeedsAccountResolution(result))
            {
                // Registers the account when a resolver knows it; CompleteConnect then finds it.
                await Server.Accounts.FindOrResolveAsync(result.Account!, Server.ShutdownToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            result = AuthResult.Deny(ex.Message);
        }
        CompleteConnect(result, acknowledge);
    }

    /// <summary>An accepted user of an account this server does not know, which a resolver may find.</summary>
    private bool NeedsAccountResolution(AuthResult result) =>
        result is { Decision: AuthDecision.Accepted, Account: { } name } &&
        Server.Accounts.HasResolvers && Server.Accounts.Find(name) is null;

    private void CompleteConnect(AuthResult result, bool acknowledge)
    {
        if (IsClosed)
        {
            return;
        }
        if (result.Decision != AuthDecision.Accepted)
        {
            AuthenticationViolation(ClosedReason.AuthenticationViolation, result.Scheme ?? "unknown", result.Reason ?? "denied");
            return;
        }
        var account = result.Account is null ? Server.Accounts.Global : Server.Accounts.Find(result.Account);
        if (account is null)
        {
            AuthenticationViolation(ClosedReason.MissingAccount, result.Scheme ?? "unknown", $"account \"{result.Account}\" not found");
            return;
        }
        var firstConnect = !_accountBound;
        if (!BindAccount(account))
        {
            Close(ClosedReason.MaxAccountConnectionsExceeded, ProtocolErrors.MaxAccountConnections);
            return;
        }
        _limits = ConnectionLimits.For(result.Limits, account.Limits);
        // As nats-server: estimate the RTT, and time the early RTT PING from the CONNECT.
        EstimateRtt();
        ScheduleFirstPing(System.Diagnostics.Stopwatch.GetTimestamp());
        User = result.User;
        _authorization = new ClientAuthorization(result, ClientPermissions.Create(result.Permissions));

        var options = Options;
        if (options.Protocol is < 0 or > 1)
        {
            Close(ClosedReason.BadClientProtocolVersion, ProtocolErrors.InvalidClientProtocol);
            return;
        }
        if (options.NoResponders && !_headersEnabled)
        {
            Close(ClosedReason.NoRespondersRequiresHeaders, ProtocolErrors.NoRespondersRequiresHeaders);
            return;
        }
        if (options.Verbose && acknowledge)
        {
            Send("+OK\r\n"u8);
        }
        if (firstConnect)
        {
            // Clients of every transport are CLIENT kind to nats-server's $SYS events; plugins hear of all.
            if (Kind.IsClient)
            {
                Server.OnClientConnected(this);
            }
            Server.Events.RaiseClientConnected(this);
        }
    }

    /// <summary>
    /// nats-server's <c>authViolation</c>: the CLIENT.AUTH.ERR event, then -ERR and close. Logs
    /// (within the rate limit) which scheme refused and why, never the secret.
    /// </summary>
    private void AuthenticationViolation(ClosedReason reason, string scheme, string why)
    {
        if (Server.LogLimits.AuthFailures.Allow(Log, LogLevel.Error))
        {
            ConnectionLog.AuthenticationError(Log, this, scheme, why);
        }
        Server.OnClientAuthenticationFailed(this, reason);
        Close(reason, ProtocolErrors.AuthorizationViolation);
    }

    /// <summary>Binds to <paramref name="account"/>; false when it is at its max_connections or closed meanwhile.</summary>
    private bool BindAccount(Account account)
    {
        // Under the lock the closing thread releases the binding with (OnClosed): a close racing
        // this CONNECT either sees the account bound and releases it, or comes first and this
        // binds nothing. Otherwise the account could count a closed connection for ever.
        lock (_subscriptions)
        {
            if (IsClosed)
            {
                return false;
            }
            if (ReferenceEquals(account, Account) && _accountBound)
            {
                return true;
            }
            if (_accountBound)
            {
                // A second CONNECT moving to another account: its subscriptions do not follow.
                RemoveAllSubscriptions();
                Account.RemoveConnection();
                _accountBound = false;
            }
            if (!account.TryAddConnection())
            {
                return false;
            }
            Account = account;
            _matchCache = null;
            _accountBound = true;
            return true;
        }
    }

    /// <summary>
    /// After its account's limits changed, recomputes this connection's (nats-server's
    /// <c>applyAccountLimits</c>): a client already holding as many subscriptions as the new limit allows (<c>subsAtLimit</c>) gets
    /// <c>-ERR 'maximum subscriptions exceeded'</c> and is closed.
    /// </summary>
    internal void ApplyAccountLimits()
    {
        _limits = ConnectionLimits.For(_limits.User, Account.Limits);
        var maxSubscriptions = _limits.Subscriptions(Server.Options.MaxSubscriptions);
        if (maxSubscriptions != AccountLimits.Unlimited && SubscriptionCount >= maxSubscriptions)
        {
            Close(ClosedReason.MaxSubscriptionsExceeded, ProtocolErrors.MaxSubscriptions);
        }
    }

    /// <summary>
    /// After a reload changed users or permissions: checks the connection again with its
    /// original CONNECT. A client no longer allowed (or now in another account) is closed;
    /// otherwise its new permissions apply, and subscriptions they forbid are removed.
    /// </summary>
    /// <summary>
    /// Closes the connection because its user's credentials were revoked, as nats-server does when
    /// an account update revokes a connected user: <c>-ERR 'User Authentication Revoked'</c>, closed
    /// with reason <see cref="ClosedReason.Revocation"/> (<c>Credentials Revoked</c> in /connz).
    /// Any thread; a closed connection stays closed.
    /// </summary>
    public void Revoke() => Close(ClosedReason.Revocation, ProtocolErrors.AuthenticationRevoked);

    internal void Reauthorize()
    {
        if (!_connectReceived || IsClosed)
        {
            return;
        }
        _ = ReauthorizeAsync(AuthenticationContext(_authorization.Grant));
    }

    /// <summary>What the authenticators see of this connection, with the CONNECT options in force.</summary>
    private ConnectContext AuthenticationContext(AuthResult? current) => new()
    {
        Current = current,
        Connect = Options,
        Nonce = _nonce,
        Kind = Kind,
        RemoteEndPoint = RemoteEndPoint,
        PeerCertificate = Tls?.PeerCertificate,
    };

    private async Task ReauthorizeAsync(ConnectContext context)
    {
        AuthResult result;
        try
        {
            result = await Auth.AuthenticateAsync(context, Server.ShutdownToken, Listener.NoAuthUser).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            result = AuthResult.Deny(ex.Message);
        }
        if (result.Decision != AuthDecision.Accepted || (result.Account ?? Accounts.AccountRegistry.GlobalAccountName) != Account.Name)
        {
            ConnectionLog.NoLongerAuthorized(Log, this);
            Close(ClosedReason.AuthenticationViolation, ProtocolErrors.AuthorizationViolation);
            return;
        }
        User = result.User;
        _limits = ConnectionLimits.For(result.Limits, Account.Limits);
        var permissions = ClientPermissions.Create(result.Permissions);
        _authorization = new ClientAuthorization(result, permissions);
        if (permissions is null)
        {
            _deliveryFilterEnabled = false;
            return;
        }
        foreach (var subscription in GetSubscriptions())
        {
            var queue = subscription.Queue ?? [];
            if (!permissions.CanSubscribe(subscription.Subject, queue))
            {
                SendError(ProtocolErrors.SubscribeViolation(subscription.SubjectString, subscription.QueueString));
                RemoveSubscription(subscription);
            }
            else if (permissions.NeedsDeliveryFilter(subscription.Subject, subscription.Queue is not null))
            {
                _deliveryFilterEnabled = true;
            }
        }
    }
}
