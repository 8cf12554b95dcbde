using System.Text.Json.Serialization;

namespace Nats.JetStream.Api;

/// <summary>Every API response: <c>type</c> and, on failure, <c>error</c> (jetstream_api.go ApiResponse).</summary>
public class ApiResponse
{
    [JsonPropertyName("type")][JsonPropertyOrder(-10)][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Type { get; set; }
    [JsonPropertyName("error")][JsonPropertyOrder(-9)][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ApiError? Error { get; set; }
}

/// <summary>A stream's state (<c>state</c> of stream info).</summary>
public sealed class StreamStateInfo
{
    [JsonPropertyName("messages")] public ulong Msgs { get; set; }
    [JsonPropertyName("bytes")] public ulong Bytes { get; set; }
    [JsonPropertyName("first_seq")] public ulong FirstSeq { get; set; }
    [JsonPropertyName("first_ts")] public DateTime FirstTime { get; set; }
    [JsonPropertyName("last_seq")] public ulong LastSeq { get; set; }
    [JsonPropertyName("last_ts")] public DateTime LastTime { get; set; }
    [JsonPropertyName("num_subjects")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int NumSubjects { get; set; }
    [JsonPropertyName("subjects")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, ulong>? Subjects { get; set; }
    [JsonPropertyName("num_deleted")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int NumDeleted { get; set; }
    [JsonPropertyName("deleted")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<ulong>? Deleted { get; set; }
    [JsonPropertyName("consumer_count")] public int Consumers { get; set; }
}

/// <summary>Stream info, as the body of create/update/info responses and list entries.</summary>
public class StreamInfo : ApiResponse
{
    [JsonPropertyName("total")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Total { get; set; }
    [JsonPropertyName("offset")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Offset { get; set; }
    [JsonPropertyName("limit")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Limit { get; set; }
    [JsonPropertyName("config")] public StreamConfig Config { get; set; } = new();
    [JsonPropertyName("created")] public DateTime Created { get; set; }
    [JsonPropertyName("state")] public StreamStateInfo State { get; set; } = new();
    [JsonPropertyName("domain")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Domain { get; set; }
    [JsonPropertyName("mirror")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public StreamSourceInfo? Mirror { get; set; }
    [JsonPropertyName("sources")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<StreamSourceInfo>? Sources { get; set; }
    [JsonPropertyName("ts")] public DateTime TimeStamp { get; set; }
    [JsonPropertyName("did_create")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool DidCreate { get; set; }
}

public sealed class SequenceInfo
{
    [JsonPropertyName("consumer_seq")] public ulong Consumer { get; set; }
    [JsonPropertyName("stream_seq")] public ulong Stream { get; set; }
    [JsonPropertyName("last_active")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTime? Last { get; set; }
}

/// <summary>Consumer info, as the body of create/info responses and list entries.</summary>
public class ConsumerInfo : ApiResponse
{
    [JsonPropertyName("stream_name")] public string Stream { get; set; } = "";
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("created")] public DateTime Created { get; set; }
    [JsonPropertyName("config")] public ConsumerConfig Config { get; set; } = new();
    [JsonPropertyName("delivered")] public SequenceInfo Delivered { get; set; } = new();
    [JsonPropertyName("ack_floor")] public SequenceInfo AckFloor { get; set; } = new();
    [JsonPropertyName("num_ack_pending")] public int NumAckPending { get; set; }
    [JsonPropertyName("num_redelivered")] public int NumRedelivered { get; set; }
    [JsonPropertyName("num_waiting")] public int NumWaiting { get; set; }
    [JsonPropertyName("num_pending")] public ulong NumPending { get; set; }
    [JsonPropertyName("push_bound")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool PushBound { get; set; }
    [JsonPropertyName("paused")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool Paused { get; set; }
    [JsonPropertyName("pause_remaining")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public long PauseRemaining { get; set; }
    [JsonPropertyName("ts")] public DateTime TimeStamp { get; set; }
}

public sealed class SuccessResponse : ApiResponse
{
    [JsonPropertyName("success")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool Success { get; set; }
}

public sealed class PurgeResponse : ApiResponse
{
    [JsonPropertyName("success")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool Success { get; set; }
    [JsonPropertyName("purged")] public ulong Purged { get; set; }
}

/// <summary>
/// <c>STREAM.NAMES</c>: <c>streams</c> is written even when there are none, as <c>null</c> — nats-server
/// 2.9.10 starts from a nil slice there (and from an empty one in the three other list responses).
/// </summary>
public sealed class StreamNamesResponse : ApiResponse
{
    [JsonPropertyName("total")] public int Total { get; set; }
    [JsonPropertyName("offset")] public int Offset { get; set; }
    [JsonPropertyName("limit")] public int Limit { get; set; }
    [JsonPropertyName("streams")] public List<string>? Streams { get; set; }
}

public sealed class ConsumerNamesResponse : ApiResponse
{
    [JsonPropertyName("total")] public int Total { get; set; }
    [JsonPropertyName("offset")] public int Offset { get; set; }
    [JsonPropertyName("limit")] public int Limit { get; set; }
    [JsonPropertyName("consumers")] public List<string> Consumers { get; set; } = [];
}

/// <summary>A failed stream info: nats-server's response struct writes its paging fields (zero) with the error.</summary>
public sealed class PagedErrorResponse : ApiResponse
{
    [JsonPropertyName("total")] public int Total { get; set; }
    [JsonPropertyName("offset")] public int Offset { get; set; }
    [JsonPropertyName("limit")] public int Limit { get; set; }
}

public sealed class StreamListResponse : ApiResponse
{
    [JsonPropertyName("total")] public int Total { get; set; }
    [JsonPropertyName("offset")] public int Offset { get; set; }
    [JsonPropertyName("limit")] public int Limit { get; set; }
    [JsonPropertyName("streams")] public List<StreamInfo> Streams { get; set; } = [];
}

public sealed class ConsumerListResponse : ApiResponse
{
    [JsonPropertyName("total")] public int Total { get; set; }
    [JsonPropertyName("offset")] public int Offset { get; set; }
    [JsonPropertyName("limit")] public int Limit { get; set; }
    [JsonPropertyName("consumers")] public List<ConsumerInfo> Consumers { get; set; } = [];
}

/// <summary>A message returned by <c>STREAM.MSG.GET</c> (header and data base64, as Go encodes []byte).</summary>
public sealed class StoredMsgInfo
{
    [JsonPropertyName("subject")] public string Subject { get; set; } = "";
    [JsonPropertyName("seq")] public ulong Sequence { get; set; }
    [JsonPropertyName("hdrs")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public byte[]? Header { get; set; }
    [JsonPropertyName("data")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public byte[]? Data { get; set; }
    [JsonPropertyName("time")] public DateTime Time { get; set; }
}

public sealed class MsgGetResponse : ApiResponse
{
    [JsonPropertyName("message")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public StoredMsgInfo? Message { get; set; }
}

public sealed class AccountLimitsInfo
{
    [JsonPropertyName("max_memory")] public long MaxMemory { get; set; } = -1;
    [JsonPropertyName("max_storage")] public long MaxStore { get; set; } = -1;
    [JsonPropertyName("max_streams")] public int MaxStreams { get; set; } = -1;
    [JsonPropertyName("max_consumers")] public int MaxConsumers { get; set; } = -1;
    [JsonPropertyName("max_ack_pending")] public int MaxAckPending { get; set; } = -1;
    [JsonPropertyName("memory_max_stream_bytes")] public long MemoryMaxStreamBytes { get; set; } = -1;
    [JsonPropertyName("storage_max_stream_bytes")] public long StoreMaxStreamBytes { get; set; } = -1;
    [JsonPropertyName("max_bytes_required")] public bool MaxBytesRequired { get; set; }
}

public sealed class ApiStats
{
    [JsonPropertyName("level")] public int Level { get; set; }
    [JsonPropertyName("total")] public ulong Total { get; set; }
    [JsonPropertyName("errors")] public ulong Errors { get; set; }
}

public sealed class AccountInfoResponse : ApiResponse
{
    [JsonPropertyName("memory")] public ulong Memory { get; set; }
    [JsonPropertyName("storage")] public ulong Store { get; set; }
    [JsonPropertyName("reserved_memory")] public ulong ReservedMemory { get; set; }
    [JsonPropertyName("reserved_storage")] public ulong ReservedStore { get; set; }
    [JsonPropertyName("streams")] public int Streams { get; set; }
    [JsonPropertyName("consumers")] public int Consumers { get; set; }
    [JsonPropertyName("limits")] public AccountLimitsInfo Limits { get; set; } = new();
    [JsonPropertyName("domain")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Domain { get; set; }
    [JsonPropertyName("api")] public ApiStats Api { get; set; } = new();
}

/// <summary>Requests whose unknown fields nats-server ignores (decoded leniently).</summary>
public sealed class PagedRequest
{
    [JsonPropertyName("offset")] public int Offset { get; set; }
    [JsonPropertyName("subject")] public string? Subject { get; set; }
    [JsonPropertyName("deleted_details")] public bool DeletedDetails { get; set; }
    [JsonPropertyName("subjects_filter")] public string? SubjectsFilter { get; set; }
}

public sealed class PurgeRequest
{
    [JsonPropertyName("seq")] public ulong Sequence { get; set; }
    [JsonPropertyName("filter")] public string? Subject { get; set; }
    [JsonPropertyName("keep")] public ulong Keep { get; set; }
}

public sealed class MsgDeleteRequest
{
    [JsonPropertyName("seq")] public ulong Sequence { get; set; }
    [JsonPropertyName("no_erase")] public bool NoErase { get; set; }
}

public sealed class MsgGetRequest
{
    [JsonPropertyName("seq")] public ulong Sequence { get; set; }
    [JsonPropertyName("last_by_subj")] public string? LastFor { get; set; }
    [JsonPropertyName("next_by_subj")] public string? NextFor { get; set; }
}

/// <summary>The body of <c>CONSUMER.CREATE</c> / <c>DURABLE.CREATE</c> (strict, as nats-server).</summary>
public sealed class ConsumerCreateRequest
{
    [JsonPropertyName("stream_name")] public string Stream { get; set; } = "";
    [JsonPropertyName("config")] public ConsumerConfig? Config { get; set; }
    [JsonPropertyName("action")] public string? Action { get; set; }
    [JsonPropertyName("pedantic")] public bool Pedantic { get; set; }
}

/// <summary>The consumer config and creation time kept next to a consumer's state (meta.json).</summary>
public sealed class ConsumerMeta
{
    [JsonPropertyName("created")] public DateTime Created { get; set; }
    [JsonPropertyName("config")] public ConsumerConfig Config { get; set; } = new();
}

/// <summary>The stream config and creation time kept in a stream's directory (meta.json).</summary>
public sealed class StreamMeta
{
    [JsonPropertyName("created")] public DateTime Created { get; set; }
    [JsonPropertyName("config")] public StreamConfig Config { get; set; } = new();
}

/// <summary>The delay of a <c>-NAK {"delay":ns}</c>.</summary>
public sealed class NakOptions
{
    [JsonPropertyName("delay")] public long Delay { get; set; }
}

/// <summary><c>$JS.API.CONSUMER.PAUSE.&lt;stream&gt;.&lt;consumer&gt;</c> request (nats-server 2.11); no time: resume.</summary>
public sealed class ConsumerPauseRequest
{
    [JsonPropertyName("pause_until")] public DateTime? PauseUntil { get; set; }
}

public sealed class ConsumerPauseResponse : ApiResponse
{
    [JsonPropertyName("paused")] public bool Paused { get; set; }
    [JsonPropertyName("pause_until")] public DateTime PauseUntil { get; set; }
    [JsonPropertyName("pause_remaining")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public long PauseRemaining { get; set; }
}

/// <summary>nats-server's StreamSourceInfo (stream info <c>mirror</c>): lag in messages, <c>active</c> ns since the last copy (-1: never).</summary>
public sealed class StreamSourceInfo
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("lag")] public ulong Lag { get; set; }
    [JsonPropertyName("active")] public long Active { get; set; }
    [JsonPropertyName("filter_subject")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? FilterSubject { get; set; }
    [JsonPropertyName("subject_transforms")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<SubjectTransformConfig>? SubjectTransforms { get; set; }
    [JsonPropertyName("external")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ExternalStream? External { get; set; }
    [JsonPropertyName("error")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ApiError? Error { get; set; }
}
