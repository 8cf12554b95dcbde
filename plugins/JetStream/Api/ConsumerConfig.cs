using System.Text.Json.Serialization;

namespace Nats.JetStream.Api;

/// <summary>A consumer's configuration, with nats-server's JSON names (durations in nanoseconds).</summary>
public sealed class ConsumerConfig
{
    [JsonPropertyName("durable_name")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Durable { get; set; }
    [JsonPropertyName("name")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Name { get; set; }
    [JsonPropertyName("description")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Description { get; set; }
    [JsonPropertyName("deliver_policy")] public DeliverPolicy DeliverPolicy { get; set; }
    [JsonPropertyName("opt_start_seq")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong OptStartSeq { get; set; }
    [JsonPropertyName("opt_start_time")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTime? OptStartTime { get; set; }
    [JsonPropertyName("ack_policy")] public AckPolicy AckPolicy { get; set; }
    [JsonPropertyName("ack_wait")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public long AckWait { get; set; }
    [JsonPropertyName("max_deliver")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int MaxDeliver { get; set; }
    [JsonPropertyName("backoff")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<long>? BackOff { get; set; }
    [JsonPropertyName("filter_subject")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? FilterSubject { get; set; }
    [JsonPropertyName("filter_subjects")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? FilterSubjects { get; set; }
    [JsonPropertyName("replay_policy")] public ReplayPolicy ReplayPolicy { get; set; }
    [JsonPropertyName("rate_limit_bps")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong RateLimit { get; set; }
    [JsonPropertyName("sample_freq")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? SampleFrequency { get; set; }
    [JsonPropertyName("max_waiting")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int MaxWaiting { get; set; }
    [JsonPropertyName("max_ack_pending")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int MaxAckPending { get; set; }
    [JsonPropertyName("flow_control")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool FlowControl { get; set; }
    [JsonPropertyName("headers_only")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool HeadersOnly { get; set; }
    [JsonPropertyName("max_batch")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int MaxRequestBatch { get; set; }
    [JsonPropertyName("max_expires")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public long MaxRequestExpires { get; set; }
    [JsonPropertyName("max_bytes")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int MaxRequestMaxBytes { get; set; }
    [JsonPropertyName("deliver_subject")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? DeliverSubject { get; set; }
    [JsonPropertyName("deliver_group")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? DeliverGroup { get; set; }
    [JsonPropertyName("idle_heartbeat")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public long Heartbeat { get; set; }
    [JsonPropertyName("inactive_threshold")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public long InactiveThreshold { get; set; }
    [JsonPropertyName("num_replicas")] public int Replicas { get; set; }
    [JsonPropertyName("mem_storage")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool MemoryStorage { get; set; }
    [JsonPropertyName("direct")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool Direct { get; set; }
    [JsonPropertyName("sourcing")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool Sourcing { get; set; }
    [JsonPropertyName("metadata")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, string>? Metadata { get; set; }
    [JsonPropertyName("pause_until")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTime? PauseUntil { get; set; }
    [JsonPropertyName("priority_groups")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? PriorityGroups { get; set; }
    [JsonPropertyName("priority_policy")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public PriorityPolicy PriorityPolicy { get; set; }
    [JsonPropertyName("priority_timeout")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public long PinnedTtl { get; set; }
}
