using Nats.Core.Accounts;
using Nats.Core.Cluster;
using Nats.Core.Connections;
using Nats.Core.Monitoring;

namespace Nats.Core.SystemServices;

/// <summary>
/// The events nats-server publishes in the system account (server/events.go): a client's
/// CONNECT and DISCONNECT in its account, the account's connection count, failed
/// authentication, and this server's SHUTDOWN and LAMEDUCK. Called from the connection's
/// own thread (connect, close) or the server's (shutdown, lame duck).
/// </summary>
internal sealed class SystemEvents(NatsServer server, SystemServiceHost services)
{
    public static string ConnectSubject(string account) => $"$SYS.ACCOUNT.{account}.CONNECT";

    public static string DisconnectSubject(string account) => $"$SYS.ACCOUNT.{account}.DISCONNECT";

    /// <summary>A client's CONNECT was accepted and bound to its account.</summary>
    public void ClientConnected(ClientConnection client)
    {
        AccountConnectionsChanged(client.Account);
        var subject = ConnectSubject(client.Account.Name);
        if (!services.HasInterest(subject))
        {
            return;
        }
        var message = new ConnectEventMessage
        {
            Id = NewEventId(),
            Timestamp = DateTime.UtcNow,
            Server = services.NextServerInfo(),
            Client = Describe(client, stop: null),
        };
        services.Publish(subject, message);
    }

    /// <summary>A client that was connected (its CONNECT accepted) has closed.</summary>
    public void ClientDisconnected(ClientConnection client)
    {
        var subject = DisconnectSubject(client.Account.Name);
        if (services.HasInterest(subject))
        {
            services.Publish(subject, Disconnect(client, client.CloseReason.ToDisplayString()));
        }
        AccountConnectionsChanged(client.Account);
    }

    /// <summary>A client failed authentication: <c>$SYS.SERVER.&lt;id&gt;.CLIENT.AUTH.ERR</c>.</summary>
    public void AuthenticationFailed(ClientConnection client, ClosedReason reason)
    {
        var subject = $"$SYS.SERVER.{server.ServerId}.CLIENT.AUTH.ERR";
        if (services.HasInterest(subject))
        {
            services.Publish(subject, Disconnect(client, reason.ToDisplayString()));
        }
    }

    /// <summary>This server is shutting down: <c>$SYS.SERVER.&lt;id&gt;.SHUTDOWN</c> with the server block.</summary>
    public void ServerShutdown() => PublishServerInfo($"$SYS.SERVER.{server.ServerId}.SHUTDOWN");

    /// <summary>Lame duck mode began: <c>$SYS.SERVER.&lt;id&gt;.LAMEDUCK</c> with the server block.</summary>
    public void LameDuckEntered() => PublishServerInfo($"$SYS.SERVER.{server.ServerId}.LAMEDUCK");

    /// <summary>
    /// The account's connection count for <c>$SYS.ACCOUNT.&lt;acc&gt;.SERVER.CONNS</c> (and the
    /// CONNS request), or null when the account is unknown here.
    /// </summary>
    public AccountConnectionsMessage? AccountConnections(string accountName)
    {
        if (server.Accounts.Find(accountName) is null)
        {
            return null;
        }
        var stat = AccountStatzEndpoint.Build(server, includeUnused: true).Accounts.FirstOrDefault(a => a.Account == accountName);
        if (stat is null)
        {
            return null;
        }
        return new AccountConnectionsMessage
        {
            Id = NewEventId(),
            Timestamp = DateTime.UtcNow,
            Server = services.NextServerInfo(),
            Account = stat.Account,
            Name = stat.Account,
            Connections = stat.Conns,
            LeafNodes = stat.LeafNodes,
            TotalConnections = stat.TotalConns,
            Subscriptions = stat.NumSubs,
            Sent = stat.Sent,
            Received = stat.Received,
            SlowConsumers = stat.SlowConsumers,
        };
    }

    /// <summary>
    /// Publishes the account's connection count, on the current subject and the old one
    /// nats-server still sends; never for the global account (as nats-server).
    /// </summary>
    public void AccountConnectionsChanged(Account account)
    {
        if (account.Name == AccountRegistry.GlobalAccountName)
        {
            return;
        }
        string[] subjects = [$"$SYS.SERVER.ACCOUNT.{account.Name}.CONNS", $"$SYS.ACCOUNT.{account.Name}.SERVER.CONNS"];
        var wanted = subjects.Where(services.HasInterest).ToArray();
        if (wanted.Length == 0 || AccountConnections(account.Name) is not { } message)
        {
            return;
        }
        var body = SystemServiceHost.Serialize(message);
        foreach (var subject in wanted)
        {
            services.Publish(subject, body);
        }
    }

    private void PublishServerInfo(string subject)
    {
        if (services.IsActive)
        {
            services.Publish(subject, services.NextServerInfo());
        }
    }

    private DisconnectEventMessage Disconnect(ClientConnection client, string reason)
    {
        var now = DateTime.UtcNow;
        return new DisconnectEventMessage
        {
            Id = NewEventId(),
            Timestamp = now,
            Server = services.NextServerInfo(),
            Client = Describe(client, client.StopTime ?? now),
            // As nats-server: "sent" is what the client sent (published), "received" what it got.
            Sent = new DataStats { Msgs = client.InMessages, Bytes = client.InBytes },
            Received = new DataStats { Msgs = client.OutMessages, Bytes = client.OutBytes },
            Reason = reason,
        };
    }

    private static EventClientInfo Describe(ClientConnection client, DateTime? stop)
    {
        var options = client.Options;
        return new EventClientInfo
        {
            Start = client.StartTime,
            Host = client.RemoteEndPoint is { } remote ? HostPort.IpText(remote.Address) : null,
            Id = client.Id,
            Account = client.Account.Name,
            User = ConnInfoBuilder.NullIfEmpty(client.User),
            Name = ConnInfoBuilder.NullIfEmpty(options.Name),
            Lang = ConnInfoBuilder.NullIfEmpty(options.Lang),
            Version = ConnInfoBuilder.NullIfEmpty(options.Version),
            Rtt = client.Rtt > TimeSpan.Zero ? client.Rtt.Ticks * 100 : null,
            Stop = stop,
            Kind = ConnInfoBuilder.KindText(client.Kind),
            ClientType = ConnInfoBuilder.TypeText(client.Kind),
        };
    }

    // nats-server uses a NUID; any unique token serves the same purpose.
    private static string NewEventId() => Security.Nonce.Generate() + Security.Nonce.Generate()[..7];
}
