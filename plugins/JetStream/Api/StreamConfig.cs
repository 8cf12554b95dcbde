using System.Text.Json.Serialization;

namespace Nats.JetStream.Api;

/// <summary>A stream's configuration, with nats-server's JSON names (durations in nanoseconds).</summary>
public sealed class StreamConfig
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("description")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Description { get; set; }
    [JsonPropertyName("subjects")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? Subjects { get; set; }
    [JsonPropertyName("retention")] public RetentionPolicy Retention { get; set; }
    [JsonPropertyName("max_consumers")] public int MaxConsumers { get; set; }
    [JsonPropertyName("max_msgs")] public long MaxMsgs { get; set; }
    [JsonPropertyName("max_bytes")] public long MaxBytes { get; set; }
    [JsonPropertyName("max_age")] public long MaxAge { get; set; }
    [JsonPropertyName("max_msgs_per_subject")] public long MaxMsgsPerSubject { get; set; }
    [JsonPropertyName("max_msg_size")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int MaxMsgSize { get; set; }
    [JsonPropertyName("discard")] public Discard Discard { get; set; }
    [JsonPropertyName("storage")] public Storage Storage { get; set; }
    [JsonPropertyName("num_replicas")] public int Replicas { get; set; }
    [JsonPropertyName("no_ack")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool NoAck { get; set; }
    [JsonPropertyName("duplicate_window")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public long DuplicateWindow { get; set; }
    [JsonPropertyName("placement")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Placement? Placement { get; set; }
    [JsonPropertyName("mirror")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public StreamSource? Mirror { get; set; }
    [JsonPropertyName("sources")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<StreamSource>? Sources { get; set; }
    [JsonPropertyName("compression")] public Compression Compression { get; set; }
    [JsonPropertyName("first_seq")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong FirstSeq { get; set; }
    [JsonPropertyName("subject_transform")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public SubjectTransformConfig? SubjectTransform { get; set; }
    [JsonPropertyName("republish")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public RePublish? RePublish { get; set; }
    [JsonPropertyName("allow_direct")] public bool AllowDirect { get; set; }
    [JsonPropertyName("mirror_direct")] public bool MirrorDirect { get; set; }
    [JsonPropertyName("discard_new_per_subject")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool DiscardNewPerSubject { get; set; }
    [JsonPropertyName("sealed")] public bool Sealed { get; set; }
    [JsonPropertyName("deny_delete")] public bool DenyDelete { get; set; }
    [JsonPropertyName("deny_purge")] public bool DenyPurge { get; set; }
    [JsonPropertyName("allow_rollup_hdrs")] public bool AllowRollup { get; set; }
    [JsonPropertyName("consumer_limits")] public StreamConsumerLimits ConsumerLimits { get; set; } = new();
    [JsonPropertyName("allow_msg_ttl")] public bool AllowMsgTtl { get; set; }
    [JsonPropertyName("subject_delete_marker_ttl")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public long SubjectDeleteMarkerTtl { get; set; }
    [JsonPropertyName("allow_msg_counter")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool AllowMsgCounter { get; set; }
    [JsonPropertyName("allow_atomic")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool AllowAtomicPublish { get; set; }
    [JsonPropertyName("allow_msg_schedules")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool AllowMsgSchedules { get; set; }
    [JsonPropertyName("persist_mode")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public PersistMode PersistMode { get; set; }
    [JsonPropertyName("allow_batched")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool AllowBatchPublish { get; set; }
    [JsonPropertyName("metadata")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, string>? Metadata { get; set; }
}

public sealed class StreamConsumerLimits
{
    [JsonPropertyName("inactive_threshold")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public long InactiveThreshold { get; set; }
    [JsonPropertyName("max_ack_pending")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int MaxAckPending { get; set; }
}

public sealed class Placement
{
    [JsonPropertyName("cluster")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Cluster { get; set; }
    [JsonPropertyName("tags")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? Tags { get; set; }
    [JsonPropertyName("preferred")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Preferred { get; set; }
}

public sealed class StreamSource
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("opt_start_seq")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong OptStartSeq { get; set; }
    [JsonPropertyName("opt_start_time")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTime? OptStartTime { get; set; }
    [JsonPropertyName("filter_subject")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? FilterSubject { get; set; }
    [JsonPropertyName("subject_transforms")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<SubjectTransformConfig>? SubjectTransforms { get; set; }
    [JsonPropertyName("external")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ExternalStream? External { get; set; }
    [JsonPropertyName("consumer")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public StreamConsumerSource? Consumer { get; set; }
}

public sealed class StreamConsumerSource
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("deliver_subject")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? DeliverSubject { get; set; }
}

public sealed class ExternalStream
{
    [JsonPropertyName("api")] public string Api { get; set; } = "";
    [JsonPropertyName("deliver")] public string Deliver { get; set; } = "";
}

public sealed class SubjectTransformConfig
{
    [JsonPropertyName("src")] public string Source { get; set; } = "";
    [JsonPropertyName("dest")] public string Destination { get; set; } = "";
}

public sealed class RePublish
{
    [JsonPropertyName("src")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Source { get; set; }
    [JsonPropertyName("dest")] public string Destination { get; set; } = "";
    [JsonPropertyName("headers_only")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool HeadersOnly { get; set; }
}
