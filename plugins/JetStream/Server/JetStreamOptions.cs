using Nats.Core.Config;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Server;

/// <summary>
/// The server's <c>jetstream</c> block (and the top-level <c>store_dir</c>), as nats-server's
/// <c>parseJetStream</c> reads it, with the command-line flags applied over it. A record of
/// immutable values, so an unchanged config compares equal on reload.
/// </summary>
public sealed record JetStreamOptions
{
    /// <summary>No <c>jetstream</c> block: JetStream off.</summary>
    public static readonly JetStreamOptions Disabled = new();

    /// <summary>Whether JetStream runs on this server.</summary>
    public bool Enabled { get; init; }

    /// <summary>The configured store directory; empty: nats-server's default (<c>$TMPDIR/nats/jetstream</c> parent).</summary>
    public string StoreDir { get; init; } = "";

    /// <summary><c>max_memory_store</c>; -1: no limit configured.</summary>
    public long MaxMemory { get; init; } = -1;

    /// <summary><c>max_file_store</c>; -1: no limit configured.</summary>
    public long MaxStore { get; init; } = -1;

    /// <summary>The JetStream domain, or empty.</summary>
    public string Domain { get; init; } = "";

    /// <summary>
    /// <c>sync: always</c> (the default here: a publish is acknowledged once fdatasynced) or an
    /// interval (nats-server's lazy default of 2 minutes, for those who accept the window).
    /// </summary>
    public SyncMode Sync { get; init; } = SyncMode.Always;

    /// <summary>
    /// <c>request_queue_limit</c>: API requests an account's worker may have waiting before all
    /// waiting ones are dropped (nats-server's <c>JSDefaultRequestQueueLimit</c>, 10,000).
    /// </summary>
    public int RequestQueueLimit { get; init; } = 10_000;

    /// <summary>With <see cref="SyncMode.Interval"/>: how often.</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The directory the account directories go in: <c>&lt;store_dir&gt;/jetstream</c>, as
    /// nats-server lays it out (default store_dir: the temp directory + <c>nats</c>).
    /// </summary>
    public string EffectiveStoreDir =>
        Path.Combine(StoreDir.Length > 0 ? StoreDir : Path.Combine(Path.GetTempPath(), "nats"), "jetstream");

    /// <summary>
    /// Reads the sections and applies <c>-js</c> / <c>-sd</c> over them.
    /// </summary>
    /// <param name="jetstream">The <c>jetstream</c> value, or null.</param>
    /// <param name="storeDir">The top-level <c>store_dir</c> (or <c>storedir</c>) value, or null.</param>
    /// <param name="flags">The command-line flags.</param>
    public static JetStreamOptions Parse(ConfValue? jetstream, ConfValue? storeDir, FlagOverrides flags)
    {
        var options = Disabled;
        if (storeDir is not null)
        {
            options = options with { StoreDir = storeDir.AsString() };
        }
        if (jetstream is not null)
        {
            options = ParseBlock(jetstream, options);
        }
        if (flags.JetStream is { } js)
        {
            options = options with { Enabled = js };
        }
        if (flags.StoreDir is { Length: > 0 } sd)
        {
            options = options with { StoreDir = sd };
        }
        return options;
    }

    private static JetStreamOptions ParseBlock(ConfValue value, JetStreamOptions options)
    {
        switch (value)
        {
            case ConfBool b:
                return options with { Enabled = b.Value };
            case ConfString s:
                return options with { Enabled = EnabledWord(s) };
            case ConfMap map:
                var enabled = true;
                foreach (var entry in map)
                {
                    var v = entry.Value;
                    switch (entry.Key.ToLowerInvariant())
                    {
                        case "store" or "store_dir" or "storedir":
                            if (options.StoreDir.Length > 0)
                            {
                                throw new ConfigException(v.Position, "Duplicate 'store_dir' configuration");
                            }
                            options = options with { StoreDir = v.AsString() };
                            break;
                        case "max_memory_store" or "max_mem_store" or "max_mem":
                            options = options with { MaxMemory = StorageSize(v, "max_mem_store") };
                            break;
                        case "max_file_store" or "max_file":
                            options = options with { MaxStore = StorageSize(v, "max_file_store") };
                            break;
                        case "domain":
                            options = options with { Domain = v.AsString() };
                            break;
                        case "enable" or "enabled":
                            enabled = v.AsBool();
                            break;
                        case "sync" or "sync_interval":
                            options = ParseSync(v, options);
                            break;
                        case "request_queue_limit":
                            options = options with { RequestQueueLimit = RequestQueueLimitOf(v) };
                            break;
                        case "key" or "ek" or "encryption_key" or "cipher":
                            throw new ConfigException(v.Position, "JetStream encryption at rest is not supported by this server");
                        case "extension_hint" or "limits" or "unique_tag" or "max_outstanding_catchup" or "strict"
                            or "max_buffered_msgs" or "max_buffered_size" or "tpm":
                            // Accepted as nats-server accepts them; they tune clustering and queues this server does not have.
                            break;
                        default:
                            if (!v.IsUsedAsVariable)
                            {
                                throw new ConfigException(v.Position, $"unknown field \"{entry.Key}\"");
                            }
                            break;
                    }
                }
                return options with { Enabled = enabled };
            default:
                throw new ConfigException(value.Position, $"Expected map, bool or string to define JetStream, got {value.Kind}");
        }
    }

    private static int RequestQueueLimitOf(ConfValue v) =>
        v is ConfInteger { Value: > 0 and <= int.MaxValue } n
            ? (int)n.Value
            : throw new ConfigException(v.Position, "request_queue_limit must be a positive integer");

    private static JetStreamOptions ParseSync(ConfValue v, JetStreamOptions options)
    {
        if (v is ConfString { Value: var text } && text.Equals("always", StringComparison.OrdinalIgnoreCase))
        {
            return options with { Sync = SyncMode.Always };
        }
        var interval = v.AsDuration();
        if (interval <= TimeSpan.Zero)
        {
            throw new ConfigException(v.Position, "sync interval must be positive or \"always\"");
        }
        return options with { Sync = SyncMode.Interval, SyncInterval = interval };
    }

    internal static bool EnabledWord(ConfString s) => s.Value.ToLowerInvariant() switch
    {
        "enabled" or "enable" => true,
        "disabled" or "disable" => false,
        _ => throw new ConfigException(s.Position, $"Expected 'enabled' or 'disabled' for string value, got '{s.Value}'"),
    };

    /// <summary>An integer (the config parser applies size suffixes) or a string with a K/M/G/T suffix, as nats-server's getStorageSize.</summary>
    internal static long StorageSize(ConfValue v, string name)
    {
        if (v is ConfInteger i)
        {
            return i.Value;
        }
        if (v is not ConfString { Value: var s })
        {
            throw new ConfigException(v.Position, $"{name} must be int64 or string");
        }
        if (s.Length == 0)
        {
            return 0;
        }
        var shift = char.ToUpperInvariant(s[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => -1 };
        if (shift < 0)
        {
            throw new ConfigException(v.Position, $"{name} sizes defined as strings must end in K, M, G, T");
        }
        if (!long.TryParse(s.AsSpan(0, s.Length - 1), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n))
        {
            throw new ConfigException(v.Position, $"{name} strconv.ParseInt: parsing \"{s[..^1]}\": invalid syntax");
        }
        return n << shift;
    }
}
