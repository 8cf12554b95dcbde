using Nats.Core.Accounts;
using Nats.Core.Connections;
using Nats.Core.Monitoring;

namespace Nats.Core;

public sealed partial class NatsServer
{
    /// <summary>
    /// Lists a link that nats-server counts among its account's connections: a leaf node
    /// connection. While listed it shows in <c>/connz?acc=</c> (kind <c>Leafnode</c>; unfiltered
    /// <c>/connz</c> stays clients only, as nats-server's) and in the account's STATZ and CONNS
    /// (<c>leafnodes</c>, <c>total_conns</c>); listing and disposing announce the account's new
    /// count as a client's connect and close do. Dispose the handle once the link closed: its
    /// entry is then kept for <c>/connz?state=closed</c>, as nats-server keeps closed leafs.
    /// </summary>
    /// <example><code>_listing = server.ListLink(this, account, new LinkListing(peerName, () => RemoteSubjects()));
    /// // … after the link closed:
    /// _listing.Dispose();</code></example>
    public IDisposable ListLink(LinkConnection link, Account account, LinkListing listing)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(listing);
        var listed = new ListedLink(link, account, listing);
        if (!_listedLinks.TryAdd(link.Id, listed))
        {
            throw new InvalidOperationException($"link {link.Id} is listed already");
        }
        account.AddLeafConnection();
        Services.Events.AccountConnectionsChanged(account);
        return new Listing(this, listed);
    }

    /// <summary>The listed links of <paramref name="account"/> (by name).</summary>
    internal IEnumerable<ListedLink> ListedLinks(string account) =>
        _listedLinks.Values.Where(l => l.Account.Name == account);

    private void Unlist(ListedLink listed)
    {
        if (!_listedLinks.TryRemove(new KeyValuePair<ulong, ListedLink>(listed.Link.Id, listed)))
        {
            return;
        }
        listed.Account.RemoveLeafConnection();
        if (listed.Link.IsClosed)
        {
            _closed.Add(ClosedConnectionInfo.From(listed));
        }
        Services.Events.AccountConnectionsChanged(listed.Account);
    }

    private sealed class Listing(NatsServer server, ListedLink listed) : IDisposable
    {
        public void Dispose() => server.Unlist(listed);
    }
}

/// <summary>A link listed with its account's connections (<see cref="NatsServer.ListLink"/>).</summary>
internal sealed record ListedLink(LinkConnection Link, Account Account, LinkListing Listing);
