namespace Nats.AuthJwt.Config;

/// <summary>The configured account resolver (<c>resolver</c>); the kinds nats-server has.</summary>
public abstract record ResolverOptions;

/// <summary><c>resolver: MEMORY</c>: accounts come from <c>resolver_preload</c> (and updates kept in memory).</summary>
public sealed record MemoryResolverOptions : ResolverOptions;

/// <summary><c>resolver: URL("…")</c>: accounts fetched with GET <c>&lt;url&gt;&lt;account&gt;</c>; the URL always ends with '/'.</summary>
/// <param name="Url">The base URL, ending with '/'.</param>
/// <param name="FromOperator">True when implied by the operator's <c>account_server_url</c> (plus <c>/accounts</c>).</param>
public sealed record UrlResolverOptions(string Url, bool FromOperator = false) : ResolverOptions
{
    /// <summary>nats-server's <c>DEFAULT_ACCOUNT_FETCH_TIMEOUT</c>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(1900);
}

/// <summary>What a full directory resolver does with deleted accounts.</summary>
public enum DeleteMode
{
    /// <summary>Deletes are refused (<c>allow_delete: false</c>).</summary>
    NoDelete,

    /// <summary>The file is renamed to <c>&lt;key&gt;.jwt.deleted</c> (<c>allow_delete: true</c>).</summary>
    RenameDeleted,

    /// <summary>The file is removed (<c>allow_delete: true, hard_delete: true</c>; always for cache).</summary>
    HardDelete,
}

/// <summary>
/// <c>resolver { type: full | cache, dir, … }</c>: the NATS-based resolver that keeps account
/// JWTs as <c>&lt;dir&gt;/&lt;pubkey&gt;.jwt</c>. Full keeps every account (synced across the cluster
/// every <see cref="SyncInterval"/>); cache keeps at most <see cref="Limit"/>, each for <see cref="Ttl"/>.
/// </summary>
public sealed record DirectoryResolverOptions : ResolverOptions
{
    /// <summary>True for <c>type: cache</c>.</summary>
    public required bool IsCache { get; init; }

    /// <summary>The directory (created when missing).</summary>
    public required string Directory { get; init; }

    /// <summary>Max JWTs kept (full: unlimited by default; cache: 1000).</summary>
    public long Limit { get; init; }

    /// <summary>Cache only: how long an entry lives; zero for as long as its JWT is valid.</summary>
    public TimeSpan Ttl { get; init; }

    /// <summary>Full only: how often the store's hash is compared with the cluster (default 1 minute).</summary>
    public TimeSpan SyncInterval { get; init; }

    /// <summary>How long a lookup from other servers may take (default 1.9 s).</summary>
    public TimeSpan FetchTimeout { get; init; } = UrlResolverOptions.DefaultTimeout;

    /// <summary>What a delete request does (<c>allow_delete</c>, <c>hard_delete</c>).</summary>
    public DeleteMode Delete { get; init; }
}
