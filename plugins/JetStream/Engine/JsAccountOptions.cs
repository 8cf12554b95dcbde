using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

/// <summary>One account's JetStream: where its files go, its domain and its limits (-1: unlimited).</summary>
public sealed record JsAccountOptions
{
    /// <summary>The account's directory (<c>&lt;store_dir&gt;/&lt;account&gt;</c>); null: memory streams only.</summary>
    public string? StoreDirectory { get; init; }

    /// <summary>The JetStream domain (<c>domain</c>); null when none.</summary>
    public string? Domain { get; init; }

    /// <summary>The server's name (API audit advisories carry it).</summary>
    public string ServerName { get; init; } = "";

    /// <summary>The account's name (the <c>client.acc</c> of API audit advisories).</summary>
    public string? AccountName { get; init; }

    /// <summary>When file stores sync to disk (<c>sync_interval</c>).</summary>
    public SyncMode Sync { get; init; } = SyncMode.Always;

    /// <summary>The period of <see cref="SyncMode.Interval"/>.</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The account's stream limit; -1: none.</summary>
    public int MaxStreams { get; init; } = -1;

    /// <summary>The account's consumer limit; -1: none.</summary>
    public int MaxConsumers { get; init; } = -1;

    /// <summary>The account's memory storage limit in bytes; -1: none.</summary>
    public long MaxMemory { get; init; } = -1;

    /// <summary>The account's file storage limit in bytes; -1: none.</summary>
    public long MaxStore { get; init; } = -1;

    /// <summary>The server's limits and usage shared by all accounts; null: no server-wide limit (tests).</summary>
    public JsServerResources? Server { get; init; }

    /// <summary>How often consumer state is written in the background (acks with a reply write at once).</summary>
    public TimeSpan ConsumerStateFlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// API requests (<c>$JS.API.&gt;</c> other than pull requests) that may wait for the account's
    /// worker: past it every waiting request is dropped unanswered and an
    /// <c>API.LIMIT_REACHED</c> advisory says how many, as nats-server's
    /// <c>jetstream { request_queue_limit }</c> (default 10,000).
    /// </summary>
    public int ApiQueueLimit { get; init; } = 10_000;
}
