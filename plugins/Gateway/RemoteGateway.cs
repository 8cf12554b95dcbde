using System.Text;

namespace Nats.Gateway;

/// <summary>
/// A remote cluster this server connects to: configured (explicit, retried forever) or learned
/// from an inbound connection or gossip (implicit, retried <c>connect_retries</c> times). Its
/// URLs grow with what the remote advertises; each dial round tries them in random order.
/// </summary>
/// <remarks>Any thread; the URL list and the connection under the object's lock.</remarks>
internal sealed class RemoteGateway
{
    private readonly List<Uri> _urls = [];

    public RemoteGateway(string name, IEnumerable<Uri> urls, bool isImplicit, string? tlsSet)
    {
        Name = name;
        Hash = Encoding.ASCII.GetBytes(GatewayHash.Of(name));
        OldHash = Encoding.ASCII.GetBytes(GatewayHash.Old(name));
        IsImplicit = isImplicit;
        TlsSet = tlsSet;
        foreach (var url in urls)
        {
            AddUrl(url);
        }
        TlsHost = _urls.Select(u => u.IdnHost).FirstOrDefault(h => !System.Net.IPAddress.TryParse(h, out _));
    }

    /// <summary>The remote cluster's gateway name.</summary>
    public string Name { get; }

    /// <summary>Its <c>_GR_.</c> cluster hash.</summary>
    public byte[] Hash { get; }

    /// <summary>Its legacy <c>$GR.</c> hash.</summary>
    public byte[] OldHash { get; }

    /// <summary>Learned rather than configured.</summary>
    public bool IsImplicit { get; }

    /// <summary>The remote's own TLS set name when it has a <c>tls</c> block (else the gateway block's applies).</summary>
    public string? TlsSet { get; }

    /// <summary>A host name from the configured URLs, for TLS verification when dialling an address.</summary>
    public string? TlsHost { get; }

    /// <summary>The registered outbound connection, if any.</summary>
    public GatewayConnection? Connection { get; set; }

    /// <summary>Dial rounds since the last success.</summary>
    public int Attempts { get; set; }

    /// <summary>The URLs, shuffled (nats-server iterates a map: a random order every round).</summary>
    public List<Uri> ShuffledUrls()
    {
        lock (_urls)
        {
            var copy = _urls.ToList();
            Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(copy));
            return copy;
        }
    }

    /// <summary>The URLs as nats-server gossips them (host:port).</summary>
    public List<string> UrlStrings()
    {
        lock (_urls)
        {
            return _urls.Select(u => $"{u.Host}:{u.Port}").ToList();
        }
    }

    /// <summary>Adds URLs the remote advertised (<c>gateway_urls</c>), as host:port.</summary>
    public void AddUrls(IEnumerable<string> urls)
    {
        foreach (var text in urls)
        {
            if (Uri.TryCreate("nats://" + text, UriKind.Absolute, out var url))
            {
                AddUrl(url);
            }
        }
    }

    /// <summary>Whether a routed reply's cluster hash names this remote.</summary>
    public bool Owns(ReadOnlySpan<byte> routed, bool oldPrefix) =>
        GatewayReplies.ClusterHash(routed, oldPrefix).SequenceEqual(oldPrefix ? OldHash : Hash);

    private void AddUrl(Uri url)
    {
        lock (_urls)
        {
            if (!_urls.Any(u => u.Host == url.Host && u.Port == url.Port))
            {
                _urls.Add(url);
            }
        }
    }
}
