using Microsoft.Extensions.Logging;
using Nats.Core.Accounts;
using Nats.Core.Plugins;
using Nats.Core.Protocol;
using Nats.Core.Subjects;

namespace Nats.Core.Connections;

public sealed partial class ClientConnection
{
    private volatile bool _connectReceived;
    private bool _accountBound;
    private string? _nonce;

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
        Close(ClosedReason.AuthenticationViolation, ProtocolErrors.AuthorizationViolation);
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
        if (options.Account is not null || options.NewAccount)
        {
            Close(ClosedReason.AuthenticationViolation, ProtocolErrors.AuthorizationViolation);
            return;
        }
        StartAuthentication(options, acknowledge: true);
    }

    private void StartAuthentication(ConnectOptions options, bool acknowledge)
    {
        Options = options;
        _connectReceived = true;
        _headersEnabled = options.Headers && !Server.Options.NoHeaderSupport;
        var pending = Auth.AuthenticateAsync(AuthenticationContext(), Server.ShutdownToken, Listener.NoAuthUser);
        if (pending.IsCompletedSuccessfully)
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
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            result = AuthResult.Deny(ex.Message);
        }
        CompleteConnect(result, acknowledge);
    }

    private void CompleteConnect(AuthResult result, bool acknowledge)
    {
        if (IsClosed)
        {
            return;
        }
        if (result.Decision != AuthDecision.Accepted)
        {
            Log.LogError("{Connection} - authentication error{Detail}", this, result.Reason is null ? "" : ": " + result.Reason);
            Close(ClosedReason.AuthenticationViolation, ProtocolErrors.AuthorizationViolation);
            return;
        }
        var account = result.Account is null ? Server.Accounts.Global : Server.Accounts.Find(result.Account);
        if (account is null)
        {
            Close(ClosedReason.MissingAccount, ProtocolErrors.AuthorizationViolation);
            return;
        }
        BindAccount(account);
        // As nats-server: estimate the RTT, and time the early RTT PING from the CONNECT.
        EstimateRtt();
        ScheduleFirstPing(System.Diagnostics.Stopwatch.GetTimestamp());
        User = result.User;
        _permissions = ClientPermissions.Create(result.Permissions);
        _publishPermissionCache = null;
        _expires = result.Expires;

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
    }

    private void BindAccount(Account account)
    {
        if (ReferenceEquals(account, Account) && _accountBound)
        {
            return;
        }
        if (_accountBound)
        {
            // A second CONNECT moving to another account: its subscriptions stay behind.
            RemoveAllSubscriptions();
            Account.RemoveConnection();
        }
        Account = account;
        _matchCache = new SublistMatchCache(account.Sublist);
        _accountBound = true;
        account.AddConnection();
    }

    /// <summary>
    /// After a reload changed users or permissions: checks the connection again with its
    /// original CONNECT. A client no longer allowed (or now in another account) is closed;
    /// otherwise its new permissions apply, and subscriptions they forbid are removed.
    /// </summary>
    internal void Reauthorize()
    {
        if (!_connectReceived || IsClosed)
        {
            return;
        }
        _ = ReauthorizeAsync(AuthenticationContext());
    }

    /// <summary>What the authenticators see of this connection, with the CONNECT options in force.</summary>
    private ConnectContext AuthenticationContext() => new()
    {
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
            Log.LogInformation("{Connection} no longer authorized after reload", this);
            Close(ClosedReason.AuthenticationViolation, ProtocolErrors.AuthorizationViolation);
            return;
        }
        User = result.User;
        _expires = result.Expires;
        var permissions = ClientPermissions.Create(result.Permissions);
        _permissions = permissions;
        _publishPermissionCache = null;
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
