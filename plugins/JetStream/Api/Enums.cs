using System.Text.Json.Serialization;

namespace Nats.JetStream.Api;

[JsonConverter(typeof(JsonStringEnumConverter<RetentionPolicy>))]
public enum RetentionPolicy
{
    [JsonStringEnumMemberName("limits")] Limits,
    [JsonStringEnumMemberName("interest")] Interest,
    [JsonStringEnumMemberName("workqueue")] WorkQueue,
}

[JsonConverter(typeof(JsonStringEnumConverter<Discard>))]
public enum Discard
{
    [JsonStringEnumMemberName("old")] Old,
    [JsonStringEnumMemberName("new")] New,
}

[JsonConverter(typeof(JsonStringEnumConverter<Storage>))]
public enum Storage
{
    [JsonStringEnumMemberName("file")] File,
    [JsonStringEnumMemberName("memory")] Memory,
}

[JsonConverter(typeof(JsonStringEnumConverter<Compression>))]
public enum Compression
{
    [JsonStringEnumMemberName("none")] None,
    [JsonStringEnumMemberName("s2")] S2,
}

[JsonConverter(typeof(JsonStringEnumConverter<PersistMode>))]
public enum PersistMode
{
    [JsonStringEnumMemberName("default")] Default,
    [JsonStringEnumMemberName("async")] Async,
}

[JsonConverter(typeof(JsonStringEnumConverter<DeliverPolicy>))]
public enum DeliverPolicy
{
    [JsonStringEnumMemberName("all")] All,
    [JsonStringEnumMemberName("last")] Last,
    [JsonStringEnumMemberName("new")] New,
    [JsonStringEnumMemberName("by_start_sequence")] ByStartSequence,
    [JsonStringEnumMemberName("by_start_time")] ByStartTime,
    [JsonStringEnumMemberName("last_per_subject")] LastPerSubject,
}

[JsonConverter(typeof(JsonStringEnumConverter<AckPolicy>))]
public enum AckPolicy
{
    [JsonStringEnumMemberName("none")] None,
    [JsonStringEnumMemberName("all")] All,
    [JsonStringEnumMemberName("explicit")] Explicit,
}

[JsonConverter(typeof(JsonStringEnumConverter<ReplayPolicy>))]
public enum ReplayPolicy
{
    [JsonStringEnumMemberName("instant")] Instant,
    [JsonStringEnumMemberName("original")] Original,
}

[JsonConverter(typeof(JsonStringEnumConverter<PriorityPolicy>))]
public enum PriorityPolicy
{
    [JsonStringEnumMemberName("none")] None,
    [JsonStringEnumMemberName("overflow")] Overflow,
    [JsonStringEnumMemberName("pinned_client")] PinnedClient,
    [JsonStringEnumMemberName("prioritized")] Prioritized,
}
