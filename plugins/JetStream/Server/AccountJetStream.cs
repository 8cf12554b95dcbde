using Nats.Core.Config;

namespace Nats.JetStream.Server;

/// <summary>
/// An account block's <c>jetstream</c> key (<c>enabled</c>, <c>disabled</c>, a bool, or a map
/// of limits), as nats-server's <c>parseJetStreamForAccount</c> reads it. -1: no limit.
/// </summary>
public sealed record AccountJetStream(bool Enabled, long MaxMemory = -1, long MaxStore = -1, int MaxStreams = -1, int MaxConsumers = -1)
{
    /// <summary>Reads the value of an account's <c>jetstream</c> key.</summary>
    public static AccountJetStream Parse(ConfValue value)
    {
        switch (value)
        {
            case ConfBool b:
                return new AccountJetStream(b.Value);
            case ConfString s:
                return new AccountJetStream(JetStreamOptions.EnabledWord(s));
            case ConfMap map:
                var limits = new AccountJetStream(true);
                foreach (var entry in map)
                {
                    var v = entry.Value;
                    switch (entry.Key.ToLowerInvariant())
                    {
                        case "max_memory" or "max_mem" or "mem" or "memory":
                            limits = limits with { MaxMemory = Size(v, entry.Key) };
                            break;
                        case "max_store" or "max_file" or "max_disk" or "store" or "disk":
                            limits = limits with { MaxStore = Size(v, entry.Key) };
                            break;
                        case "max_streams" or "streams":
                            limits = limits with { MaxStreams = (int)Size(v, entry.Key) };
                            break;
                        case "max_consumers" or "consumers":
                            limits = limits with { MaxConsumers = (int)Size(v, entry.Key) };
                            break;
                        case "max_bytes_required" or "max_stream_bytes" or "max_bytes" or "mem_max_stream_bytes"
                            or "memory_max_stream_bytes" or "disk_max_stream_bytes" or "store_max_stream_bytes" or "max_ack_pending":
                            // Read as nats-server reads them; not enforced by this server yet.
                            break;
                        default:
                            if (!v.IsUsedAsVariable)
                            {
                                throw new ConfigException(v.Position, $"unknown field \"{entry.Key}\"");
                            }
                            break;
                    }
                }
                return limits;
            default:
                throw new ConfigException(value.Position, $"Expected map, bool or string to define JetStream, got {value.Kind}");
        }
    }

    private static long Size(ConfValue v, string key) => v is ConfInteger i
        ? i.Value
        : throw new ConfigException(v.Position, $"Expected a parseable size for \"{key}\", got {v.Describe()}");
}
