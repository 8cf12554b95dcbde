using Nats.Core.Accounts;
using Nats.Core.Subjects;

namespace Nats.Gateway;

internal sealed partial class GatewayConnection
{
    /// <summary>
    /// Inbound only: what we told the remote per account name (nats-server's <c>insim</c>): no
    /// entry, optimistic; a null value, A- sent; otherwise the mode and the subjects we sent RS-
    /// for. Guarded by the manager's interest lock.
    /// </summary>
    internal Dictionary<string, InboundAccount?> InboundAccounts { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// A message from the remote cluster (nats-server's <c>processInboundGatewayMsg</c>): a
    /// <c>_GR_.</c> reply coming home is unwrapped and delivered here; a message whose reply was
    /// mapped by the remote is delivered with the plain reply, and the mapping remembered so the
    /// response goes back to that cluster; with no local interest the remote hears RS- or A-.
    /// </summary>
    private void DeliverInbound(ReadOnlySpan<byte> accountName, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply,
        ReadOnlySpan<byte> queues, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
    {
        var account = _manager.Accounts.Find(accountName);
        if (GatewayReplies.IsRouted(subject, out var oldPrefix))
        {
            if (!_manager.IsOwnCluster(GatewayReplies.ClusterHash(subject, oldPrefix), oldPrefix))
            {
                return;
            }
            if (account is null)
            {
                _manager.NoInterestInAccount(this, accountName);
                return;
            }
            subject = GatewayReplies.Strip(subject, oldPrefix);
            Router.Publish(account, new MessageView(subject, reply, headers, payload), Nats.Core.Accounts.MessageOrigin.FromLink(this, queues));
            return;
        }
        if (account is null)
        {
            _manager.NoInterestInAccount(this, accountName);
            return;
        }
        if (GatewayReplies.IsRouted(reply, out var oldReply))
        {
            var plainReply = GatewayReplies.Strip(reply, oldReply);
            _manager.Replies.Track(account, plainReply, reply, oldReply);
            reply = plainReply;
        }
        if (!HasLocalPlainInterest(account.Sublist.Match(subject)))
        {
            _manager.NoInterestInSubject(this, account, subject);
            if (queues.IsEmpty)
            {
                return;
            }
        }
        Router.Publish(account, new MessageView(subject, reply, headers, payload), Nats.Core.Accounts.MessageOrigin.FromLink(this, queues));
    }

    /// <summary>Plain interest of this cluster (clients, routes, leafs), not of other gateways.</summary>
    private static bool HasLocalPlainInterest(SublistResult result)
    {
        foreach (var subscription in result.Subscriptions)
        {
            if (subscription.Sink is not GatewayConnection)
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>What an inbound gateway connection told its remote about one account.</summary>
internal sealed class InboundAccount
{
    /// <summary>Optimistic until switched (then every local subscription change is sent).</summary>
    public InterestMode Mode { get; set; }

    /// <summary>Subjects we sent RS- for (optimistic); null once in interest-only mode.</summary>
    public HashSet<string>? NoInterest { get; set; } = new(StringComparer.Ordinal);
}
