using Nats.Core.Config;

namespace Nats.Leafnode.Config;

/// <summary>
/// The <c>leafnodes {}</c> block, as nats-server's <c>LeafNodeOpts</c>: the hub side (a listener
/// with its own authorization and TLS) and the leaf side (remotes to solicit). Immutable;
/// compares by value.
/// </summary>
public sealed record LeafnodeOptions
{
    /// <summary>No leafnodes block: no listener, no remotes.</summary>
    public static readonly LeafnodeOptions None = new();

    /// <summary>Listen host (nats-server defaults it to 0.0.0.0 when a port is set).</summary>
    public string Host { get; init; } = "";

    /// <summary>Listen port: 0 for no listener, -1 for a random one.</summary>
    public int Port { get; init; }

    /// <summary><c>advertise</c>: host:port told to leafs instead of the listen address.</summary>
    public string Advertise { get; init; } = "";

    /// <summary><c>no_advertise</c>: do not gossip our leafnode URL.</summary>
    public bool NoAdvertise { get; init; }

    /// <summary><c>authorization.user</c>: the single leaf user.</summary>
    public string Username { get; init; } = "";

    /// <summary><c>authorization.password</c> of the single leaf user (plain or bcrypt).</summary>
    public string Password { get; init; } = "";

    /// <summary><c>authorization.nkey</c>: the single leaf nkey (a public user key).</summary>
    public string NKey { get; init; } = "";

    /// <summary><c>authorization.account</c>: where the single user/nkey, or an unauthenticated leaf of a server without auth, is bound ("" is $G).</summary>
    public string Account { get; init; } = "";

    /// <summary><c>authorization.timeout</c> in seconds (0: nats-server's default).</summary>
    public double AuthTimeoutSeconds { get; init; }

    /// <summary><c>authorization.users</c>: users each bound to their account.</summary>
    public ValueList<LeafUser> Users { get; init; } = ValueList<LeafUser>.Empty;

    /// <summary>The listener's <c>tls {}</c>, or null.</summary>
    public TlsOptions? Tls { get; init; }

    /// <summary><c>remotes</c>: hubs to solicit.</summary>
    public ValueList<RemoteLeafOptions> Remotes { get; init; } = ValueList<RemoteLeafOptions>.Empty;

    /// <summary><c>reconnect</c>: delay between attempts to a remote (nats-server's default 1 s).</summary>
    public TimeSpan ReconnectInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>min_version</c> of soliciting servers, or "".</summary>
    public string MinVersion { get; init; } = "";

    /// <summary>True when the server accepts leaf connections.</summary>
    public bool IsListening => Port != 0;

    /// <summary>True when anything leaf-related is configured.</summary>
    public bool IsEnabled => IsListening || Remotes.Count > 0;

    /// <summary>True when a hub-level credential (single user, nkey or users) is configured.</summary>
    public bool HasOwnAuthorization => Username.Length > 0 || NKey.Length > 0 || Users.Count > 0;

    /// <summary>The authentication timeout for accepted leafs: the configured one, else nats-server's leaf default.</summary>
    public TimeSpan AuthTimeout => AuthTimeoutSeconds > 0 ? TimeSpan.FromSeconds(AuthTimeoutSeconds) : DefaultAuthTimeout;

    /// <summary>nats-server's default when none is set: the client AUTH_TIMEOUT (2 s).</summary>
    public static readonly TimeSpan DefaultAuthTimeout = TimeSpan.FromSeconds(2);
}

/// <summary>One of <c>leafnodes.authorization.users</c>.</summary>
public sealed record LeafUser(string Username, string Password, string Account);

/// <summary>One of <c>leafnodes.remotes</c>: a hub this server connects to as a leaf.</summary>
public sealed record RemoteLeafOptions
{
    /// <summary><c>url</c>/<c>urls</c>: where the hub listens (tried in turn).</summary>
    public ValueList<Uri> Urls { get; init; } = ValueList<Uri>.Empty;

    /// <summary><c>account</c>/<c>local</c>: the local account bound to the link ("" is $G).</summary>
    public string LocalAccount { get; init; } = "";

    /// <summary><c>credentials</c>: a creds file (user JWT and seed) signing the hub's nonce.</summary>
    public string Credentials { get; init; } = "";

    /// <summary><c>nkey</c>/<c>seed</c>: a user seed signing the hub's nonce.</summary>
    public string NKeySeed { get; init; } = "";

    /// <summary>The remote's <c>tls {}</c>, or null (TLS is still used when the hub requires it).</summary>
    public TlsOptions? Tls { get; init; }

    /// <summary><c>hub</c>: this server is the hub of the link it solicits.</summary>
    public bool Hub { get; init; }

    /// <summary><c>deny_imports</c>: subjects not received from the hub (sent as CONNECT deny_pub).</summary>
    public ValueList<string> DenyImports { get; init; } = ValueList<string>.Empty;

    /// <summary><c>deny_exports</c>: subjects not sent to the hub.</summary>
    public ValueList<string> DenyExports { get; init; } = ValueList<string>.Empty;

    /// <summary><c>no_randomize</c>: try the URLs in order.</summary>
    public bool NoRandomize { get; init; }

    /// <summary><c>ws_compression</c>: offer permessage-deflate on a ws:// or wss:// remote.</summary>
    public bool WebSocketCompression { get; init; }

    /// <summary><c>ws_no_masking</c>: accepted as nats-server does; our WebSocket client masks its frames regardless.</summary>
    public bool WebSocketNoMasking { get; init; }

    /// <summary><c>disabled</c>: configured but not connected.</summary>
    public bool Disabled { get; init; }

    /// <summary>A name for logs: the first URL without user info.</summary>
    public string SafeName => Urls.Count == 0 ? "" : Redact(Urls[0]);

    /// <summary>
    /// The remote as a reload tells remotes apart: everything but its certificates, so a reload
    /// that only changes a remote's <c>tls</c> files or verification keeps its link and the next
    /// dial uses the new ones, as nats-server's reload always re-applies a remote's TLS config.
    /// Turning TLS on or off, or <c>handshake_first</c>, changes how the link starts: another remote.
    /// </summary>
    public RemoteLeafOptions Identity => Tls is null
        ? this
        : this with { Tls = new TlsOptions { HandshakeFirst = Tls.HandshakeFirst, HandshakeFirstFallback = Tls.HandshakeFirstFallback } };

    /// <summary>A URL with its password hidden, as nats-server's redactURLString.</summary>
    public static string Redact(Uri url)
    {
        if (string.IsNullOrEmpty(url.UserInfo))
        {
            return url.ToString().TrimEnd('/');
        }
        var user = url.UserInfo.Split(':')[0];
        return $"{url.Scheme}://{user}:xxxxx@{url.Authority}".TrimEnd('/');
    }
}
