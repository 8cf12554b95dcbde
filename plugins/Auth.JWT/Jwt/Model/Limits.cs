using System.Text.Json.Serialization;
using Nats.AuthJwt.Jwt.Json;

namespace Nats.AuthJwt.Jwt.Model;

/// <summary>JetStream limits of an account or one tier (jwt <c>JetStreamLimits</c>).</summary>
public sealed class JetStreamLimits : IEquatable<JetStreamLimits>
{
    [JsonPropertyName("mem_storage"), OmitEmpty] public long MemoryStorage { get; set; }

    [JsonPropertyName("disk_storage"), OmitEmpty] public long DiskStorage { get; set; }

    [JsonPropertyName("streams"), OmitEmpty] public long Streams { get; set; }

    [JsonPropertyName("consumer"), OmitEmpty] public long Consumer { get; set; }

    [JsonPropertyName("max_ack_pending"), OmitEmpty] public long MaxAckPending { get; set; }

    [JsonPropertyName("mem_max_stream_bytes"), OmitEmpty] public long MemoryMaxStreamBytes { get; set; }

    [JsonPropertyName("disk_max_stream_bytes"), OmitEmpty] public long DiskMaxStreamBytes { get; set; }

    [JsonPropertyName("max_bytes_required"), OmitEmpty] public bool MaxBytesRequired { get; set; }

    /// <summary>All zero: JetStream disabled (jwt compares with the zero struct).</summary>
    [JsonIgnore] public bool IsZero => Equals(new JetStreamLimits());

    public bool Equals(JetStreamLimits? other) => other is not null
        && MemoryStorage == other.MemoryStorage && DiskStorage == other.DiskStorage && Streams == other.Streams
        && Consumer == other.Consumer && MaxAckPending == other.MaxAckPending
        && MemoryMaxStreamBytes == other.MemoryMaxStreamBytes && DiskMaxStreamBytes == other.DiskMaxStreamBytes
        && MaxBytesRequired == other.MaxBytesRequired;

    public override bool Equals(object? obj) => Equals(obj as JetStreamLimits);

    public override int GetHashCode() => HashCode.Combine(MemoryStorage, DiskStorage, Streams, Consumer);
}

/// <summary>JetStream limits per tier name, written with sorted keys as Go writes maps.</summary>
public sealed class JetStreamTieredLimits() : SortedDictionary<string, JetStreamLimits>(StringComparer.Ordinal);

/// <summary>
/// The limits an operator puts on an account (jwt <c>OperatorLimits</c> = <c>NatsLimits</c> +
/// <c>AccountLimits</c> + <c>JetStreamLimits</c> + tiers), flattened in Go's field order.
/// </summary>
public sealed class OperatorLimits
{
    [JsonPropertyName("subs"), OmitEmpty] public long Subs { get; set; }

    [JsonPropertyName("data"), OmitEmpty] public long Data { get; set; }

    [JsonPropertyName("payload"), OmitEmpty] public long Payload { get; set; }

    [JsonPropertyName("imports"), OmitEmpty] public long Imports { get; set; }

    [JsonPropertyName("exports"), OmitEmpty] public long Exports { get; set; }

    [JsonPropertyName("wildcards"), OmitEmpty] public bool WildcardExports { get; set; }

    [JsonPropertyName("disallow_bearer"), OmitEmpty] public bool DisallowBearer { get; set; }

    [JsonPropertyName("conn"), OmitEmpty] public long Conn { get; set; }

    [JsonPropertyName("leaf"), OmitEmpty] public long LeafNodeConn { get; set; }

    [JsonPropertyName("mem_storage"), OmitEmpty] public long MemoryStorage { get; set; }

    [JsonPropertyName("disk_storage"), OmitEmpty] public long DiskStorage { get; set; }

    [JsonPropertyName("streams"), OmitEmpty] public long Streams { get; set; }

    [JsonPropertyName("consumer"), OmitEmpty] public long Consumer { get; set; }

    [JsonPropertyName("max_ack_pending"), OmitEmpty] public long MaxAckPending { get; set; }

    [JsonPropertyName("mem_max_stream_bytes"), OmitEmpty] public long MemoryMaxStreamBytes { get; set; }

    [JsonPropertyName("disk_max_stream_bytes"), OmitEmpty] public long DiskMaxStreamBytes { get; set; }

    [JsonPropertyName("max_bytes_required"), OmitEmpty] public bool MaxBytesRequired { get; set; }

    [JsonPropertyName("tiered_limits"), OmitEmpty] public JetStreamTieredLimits? TieredLimits { get; set; }

    /// <summary>The non-tiered JetStream part as its own value.</summary>
    [JsonIgnore]
    public JetStreamLimits JetStream => new()
    {
        MemoryStorage = MemoryStorage, DiskStorage = DiskStorage, Streams = Streams, Consumer = Consumer,
        MaxAckPending = MaxAckPending, MemoryMaxStreamBytes = MemoryMaxStreamBytes,
        DiskMaxStreamBytes = DiskMaxStreamBytes, MaxBytesRequired = MaxBytesRequired,
    };

    /// <summary>jwt <c>IsJSEnabled</c>: some tier, or the plain limits, has memory or disk storage.</summary>
    [JsonIgnore]
    public bool IsJetStreamEnabled => TieredLimits is { Count: > 0 }
        ? TieredLimits.Values.Any(l => l.MemoryStorage != 0 || l.DiskStorage != 0)
        : MemoryStorage != 0 || DiskStorage != 0;

    /// <summary>jwt <c>IsEmpty</c>: every limit zero and no tier.</summary>
    [JsonIgnore]
    public bool IsEmpty => Subs == 0 && Data == 0 && Payload == 0 && Imports == 0 && Exports == 0
        && !WildcardExports && !DisallowBearer && Conn == 0 && LeafNodeConn == 0 && JetStream.IsZero
        && (TieredLimits?.Count ?? 0) == 0;

    /// <summary>Zeroes the non-tiered JetStream limits (done on decode when tiers are present).</summary>
    public void ClearJetStream()
    {
        MemoryStorage = DiskStorage = Streams = Consumer = MaxAckPending = MemoryMaxStreamBytes = DiskMaxStreamBytes = 0;
        MaxBytesRequired = false;
    }

    /// <summary>jwt <c>NewAccountClaims</c>' defaults: everything unlimited, wildcard exports allowed, JetStream off.</summary>
    public static OperatorLimits Unlimited() => new()
    {
        Subs = JwtLimits.NoLimit, Data = JwtLimits.NoLimit, Payload = JwtLimits.NoLimit,
        Imports = JwtLimits.NoLimit, Exports = JwtLimits.NoLimit, WildcardExports = true,
        Conn = JwtLimits.NoLimit, LeafNodeConn = JwtLimits.NoLimit,
    };
}
