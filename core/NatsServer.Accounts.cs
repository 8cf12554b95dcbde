using Microsoft.Extensions.Logging;
using Nats.Core.Accounts;
using Nats.Core.Connections;
using Nats.Core.Protocol;

namespace Nats.Core;

/// <summary>How the server follows accounts changing at runtime.</summary>
public sealed partial class NatsServer
{
    /// <summary>Subscribes to the registry's events (from the constructor).</summary>
    private void FollowAccountChanges()
    {
        Accounts.Logger = LoggerFactory.CreateLogger("Nats.Accounts");
        Accounts.ClusterName = () => _routes?.ClusterName;
        Accounts.AccountRemoved += OnAccountRemoved;
        Accounts.AccountUpdated += OnAccountUpdated;
    }

    /// <summary>nats-server closes a removed account's clients as an authorization violation.</summary>
    private void OnAccountRemoved(AccountEvent change)
    {
        Logging.ServerLog.AccountRemoved(Logger, change.Account.Name);
        foreach (var client in _clients.Values.Where(c => ReferenceEquals(c.Account, change.Account)))
        {
            client.Close(ClosedReason.AuthenticationViolation, ProtocolErrors.AuthorizationViolation);
        }
    }

    /// <summary>
    /// New limits reach the account's clients; above a lowered max_connections the oldest
    /// clients are closed, as nats-server 2.9.10 does on an account update
    /// (<c>updateAccountClaimsWithRefresh</c> sorts the clients newest first and closes those past
    /// the limit).
    /// </summary>
    private void OnAccountUpdated(AccountEvent change)
    {
        var account = change.Account;
        var clients = _clients.Values.Where(c => ReferenceEquals(c.Account, account) && c.IsConnected).ToList();
        foreach (var client in clients)
        {
            client.ApplyAccountLimits();
        }
        var max = account.Limits.MaxConnections;
        if (max == AccountLimits.Unlimited || clients.Count <= max)
        {
            return;
        }
        foreach (var client in clients.OrderByDescending(c => c.StartTime).Skip((int)max))
        {
            client.Close(ClosedReason.MaxAccountConnectionsExceeded, ProtocolErrors.MaxAccountConnections);
        }
    }
}
