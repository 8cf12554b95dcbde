using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nats.Core.Accounts;
using Nats.Core.Plugins;
using Nats.Mqtt.Config;
using Nats.Mqtt.Logging;

namespace Nats.Mqtt.Store;

/// <summary>
/// One account's MQTT state in JetStream (nats-server's <c>mqttAccountSessionManager</c>): the
/// five streams (created when missing, at the first MQTT client of the account), the session
/// records, the QoS 1/2 consumers and the retained messages (indexed at start, then followed
/// through a consumer of <c>$MQTT_rmsgs</c>; their bodies in a bounded cache, read on demand).
/// </summary>
/// <remarks>Thread safety: every member may be called from any connection's task.</remarks>
internal sealed partial class MqttAccount : IAsyncDisposable
{
    private static readonly TimeSpan RetainedLoadTimeout = TimeSpan.FromSeconds(10);

    private readonly ILogger _logger;
    private readonly string _sessionPrefix;
    private IDisposable? _retainedFeed;
    private TaskCompletionSource? _retainedLoaded;
    private ulong _retainedLoadedUntil;

    private MqttAccount(JsApi js, string origin, string sessionPrefix, ILogger logger)
    {
        Js = js;
        Origin = origin;
        _sessionPrefix = sessionPrefix;
        _logger = logger;
    }

    public JsApi Js { get; }

    /// <summary>This server in records (nats-server's node id: hash of the server name).</summary>
    public string Origin { get; }

    public RetainedMessages Retained { get; } = new();

    /// <summary>CONNECT notices to and from the other servers of the cluster (null when not clustered).</summary>
    public TakeoverNotices? Notices { get; set; }

    /// <summary>Opens the account's MQTT state: streams, then the retained messages.</summary>
    public static async Task<MqttAccount> OpenAsync(IServerContext context, Account account, MqttOptions options, ILogger logger)
    {
        var domain = options.JsDomain.Length > 0 ? options.JsDomain : null;
        var js = new JsApi(context, account, domain, options.EffectiveJsApiTimeout);
        var origin = Nuid.Hash8(context.Server.Name);
        var mqtt = new MqttAccount(js, origin, StreamNames.SessionsPrefix + (domain is null ? "" : domain + "."), logger);
        try
        {
            await mqtt.EnsureStreamsAsync(options).ConfigureAwait(false);
            await mqtt.SweepSessionsAsync().ConfigureAwait(false);
            await mqtt.LoadRetainedAsync().ConfigureAwait(false);
            return mqtt;
        }
        catch
        {
            await mqtt.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task EnsureStreamsAsync(MqttOptions options)
    {
        var replicas = Math.Max(1, options.StreamReplicas);
        await EnsureStreamAsync(StreamNames.Sessions, _sessionPrefix + ">", "limits", replicas, maxPerSubject: 1).ConfigureAwait(false);
        // allow_msg_ttl: an MQTT 5 message expiry interval travels as Nats-TTL (nats-server has no MQTT 5).
        await EnsureStreamAsync(StreamNames.Messages, StreamNames.MessagesPrefix + ">", "interest", replicas, allowTtl: true).ConfigureAwait(false);
        await EnsureStreamAsync(StreamNames.Qos2In, StreamNames.Qos2InPrefix + ">", "limits", replicas, maxPerSubject: 1, discardNewPerSubject: true).ConfigureAwait(false);
        await EnsureStreamAsync(StreamNames.Out, StreamNames.OutPrefix + ">", "interest", replicas).ConfigureAwait(false);
        await EnsureStreamAsync(StreamNames.Retained, StreamNames.RetainedPrefix + ">", "limits", replicas, maxPerSubject: 1).ConfigureAwait(false);
    }

    private async Task EnsureStreamAsync(string name, string subject, string retention, int replicas, int maxPerSubject = 0, bool discardNewPerSubject = false, bool allowTtl = false)
    {
        try
        {
            await Js.RequestAsync("STREAM.INFO." + name, default).ConfigureAwait(false);
            return;
        }
        catch (JsApiException e) when (e.ErrCode == 10059)
        {
            // Not there yet: created below.
        }
        var body = Json(json =>
        {
            json.WriteString("name", name);
            json.WriteStartArray("subjects");
            json.WriteStringValue(subject);
            json.WriteEndArray();
            json.WriteString("retention", retention);
            json.WriteString("storage", "file");
            json.WriteNumber("num_replicas", replicas);
            if (maxPerSubject > 0)
            {
                json.WriteNumber("max_msgs_per_subject", maxPerSubject);
            }
            if (discardNewPerSubject)
            {
                json.WriteString("discard", "new");
                json.WriteBoolean("discard_new_per_subject", true);
            }
            if (allowTtl)
            {
                json.WriteBoolean("allow_msg_ttl", true);
            }
        });
        try
        {
            await Js.RequestAsync("STREAM.CREATE." + name, body).ConfigureAwait(false);
        }
        catch (JsApiException e) when (e.ErrCode == 10058)
        {
            // Created meanwhile by another connection of the account.
        }
    }

    /// <summary>Reads every retained message through an ephemeral consumer that then keeps following the stream.</summary>
    private async Task LoadRetainedAsync()
    {
        var info = await Js.RequestAsync("STREAM.INFO." + StreamNames.Retained, default).ConfigureAwait(false);
        var state = info.GetProperty("state");
        var last = state.GetProperty("last_seq").GetUInt64();
        var count = state.GetProperty("messages").GetUInt64();
        var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _retainedLoadedUntil, last);
        _retainedLoaded = count == 0 ? null : loaded;
        var deliver = StreamNames.DeliverPrefix + Nuid.Next();
        _retainedFeed = Js.Connection.Subscribe(deliver, null, OnRetainedStored);
        var name = StreamNames.Retained + "_" + Nuid.Next();
        var body = Json(json =>
        {
            json.WriteString("stream_name", StreamNames.Retained);
            json.WriteStartObject("config");
            json.WriteString("name", name);
            json.WriteString("deliver_subject", deliver);
            json.WriteString("deliver_policy", "all");
            json.WriteString("ack_policy", "none");
            json.WriteString("replay_policy", "instant");
            json.WriteString("filter_subject", StreamNames.RetainedPrefix + ">");
            json.WriteNumber("inactive_threshold", TimeSpan.FromMinutes(5).Ticks * 100);
            json.WriteEndObject();
        });
        await Js.RequestAsync("CONSUMER.CREATE." + StreamNames.Retained + "." + name, body).ConfigureAwait(false);
        if (count > 0)
        {
            if (await Task.WhenAny(loaded.Task, Task.Delay(RetainedLoadTimeout)).ConfigureAwait(false) != loaded.Task)
            {
                MqttLog.RetainedNotLoaded(_logger, RetainedLoadTimeout);
            }
        }
    }

    private ValueTask OnRetainedStored(Core.Plugins.InProcessMessage message)
    {
        AckReply.TryParse(message.Reply, out _, out var sequence, out var pending);
        var retained = RetainedCodec.Decode(message.Subject, sequence, message.Headers.Span, message.Payload.Span, out var clear);
        if (retained is not null || clear)
        {
            var subject = message.Subject[StreamNames.RetainedPrefix.Length..];
            Retained.Apply(subject, sequence, retained);
            if (clear && sequence > 0)
            {
                // The clear marker has done its job (the older message is gone, MaxMsgsPer 1): remove it too.
                _ = DeleteMessageQuietlyAsync(StreamNames.Retained, sequence);
            }
        }
        // Loaded once the consumer has nothing pending (or reached the last sequence seen at start).
        if (_retainedLoaded is { } loaded && (pending == 0 || sequence >= Volatile.Read(ref _retainedLoadedUntil)))
        {
            loaded.TrySetResult();
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Stores (or, with an empty payload, clears) the retained message of a subject and applies it here at once.</summary>
    public async Task StoreRetainedAsync(string subject, string topic, int qos, ReadOnlyMemory<byte> publishHeaders, ReadOnlyMemory<byte> payload, string? source)
    {
        var clear = payload.IsEmpty;
        var flags = (qos << 1) | 1;
        var headers = RetainedCodec.EncodeHeaders(topic, flags, clear, Origin, source, publishHeaders.Span);
        Retained.ApplyProvisional(subject, clear ? null : RetainedCodec.Decode(StreamNames.RetainedPrefix + subject, 0, headers, payload.Span, out _));
        var sequence = await Js.StoreAsync(StreamNames.RetainedPrefix + subject, headers, payload).ConfigureAwait(false);
        Retained.Apply(subject, sequence, clear ? null : RetainedCodec.Decode(StreamNames.RetainedPrefix + subject, sequence, headers, payload.Span, out _));
    }

    /// <summary>
    /// The retained messages a subscription subject matches (and, for <c>x.&gt;</c>, <c>x</c>), by
    /// sequence: from the cache, else read from <c>$MQTT_rmsgs</c> (and cached).
    /// </summary>
    public async Task<List<RetainedMessage>> RetainedForAsync(string filter, bool levelUp)
    {
        var found = Retained.Find(filter, levelUp);
        var messages = new List<RetainedMessage>(found.Count);
        foreach (var match in found)
        {
            if (match.Message is { } cached)
            {
                messages.Add(cached);
            }
            else if (await ReadRetainedAsync(match.Sequence).ConfigureAwait(false) is { } read)
            {
                Retained.Cache(read);
                messages.Add(read);
            }
        }
        return messages;
    }

    /// <summary>One retained message by sequence (<c>STREAM.MSG.GET</c>), or null when it is gone (replaced or cleared meanwhile).</summary>
    private async Task<RetainedMessage?> ReadRetainedAsync(ulong sequence)
    {
        JsonElement root;
        try
        {
            root = await Js.RequestAsync("STREAM.MSG.GET." + StreamNames.Retained, Json(json => json.WriteNumber("seq", sequence))).ConfigureAwait(false);
        }
        catch (JsApiException e) when (e.ErrCode == 10037 || e.Code == 404)
        {
            return null;
        }
        var message = root.GetProperty("message");
        var subject = message.GetProperty("subject").GetString() ?? "";
        var headers = message.TryGetProperty("hdrs", out var h) && h.ValueKind == JsonValueKind.String ? h.GetBytesFromBase64() : [];
        var data = message.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.String ? d.GetBytesFromBase64() : [];
        return RetainedCodec.Decode(subject, sequence, headers, data, out _);
    }

    private async Task DeleteMessageQuietlyAsync(string stream, ulong sequence)
    {
        try
        {
            await DeleteMessageAsync(stream, sequence).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JsApiException or TimeoutException or ObjectDisposedException)
        {
            MqttLog.MessageNotDeleted(_logger, stream, sequence, e.Message);
        }
    }

    public Task DeleteMessageAsync(string stream, ulong sequence) =>
        Js.RequestAsync("STREAM.MSG.DELETE." + stream, Json(json => json.WriteNumber("seq", sequence)));

    /// <summary>The session record subject of a client ID (<c>$MQTT.sess.[domain.]&lt;hash8&gt;</c>).</summary>
    public string SessionSubject(string clientId) => _sessionPrefix + Nuid.Hash8(clientId);

    /// <summary>The stored session of a client ID, or null (none, or unreadable). A record of another ID under the same hash is returned as is.</summary>
    public async Task<SessionRecord?> LoadSessionAsync(string clientId)
    {
        var message = await LoadLastAsync(StreamNames.Sessions, SessionSubject(clientId)).ConfigureAwait(false);
        return message is { } m ? SessionRecord.Decode(m.Data, m.Sequence) : null;
    }

    /// <summary>The last message of a subject in a stream (<c>STREAM.MSG.GET</c> with <c>last_by_subj</c>), or null.</summary>
    public async Task<(ulong Sequence, byte[] Headers, byte[] Data)?> LoadLastAsync(string stream, string subject)
    {
        JsonElement root;
        try
        {
            root = await Js.RequestAsync("STREAM.MSG.GET." + stream, Json(json => json.WriteString("last_by_subj", subject))).ConfigureAwait(false);
        }
        catch (JsApiException e) when (e.ErrCode == 10037 || e.Code == 404)
        {
            return null;
        }
        var message = root.GetProperty("message");
        return (message.GetProperty("seq").GetUInt64(),
            message.TryGetProperty("hdrs", out var h) && h.ValueKind == JsonValueKind.String ? h.GetBytesFromBase64() : [],
            message.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.String ? d.GetBytesFromBase64() : []);
    }

    /// <summary>Writes a session record (MaxMsgsPer 1 replaces the previous one); sets its sequence.</summary>
    public async Task SaveSessionAsync(SessionRecord record, MqttOptions options)
    {
        var body = record.Encode(Origin, options.EffectiveAckWait, options.EffectiveMaxAckPending);
        record.Sequence = await Js.StoreAsync(SessionSubject(record.Id), default, body).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends a stored session: its consumers (a shared group's only when it was the group's last
    /// session; <paramref name="leaveShares"/> false while the sweep counts), its PUBREL consumer and its record.
    /// </summary>
    public async Task DiscardSessionAsync(SessionRecord record, bool leaveShares = true)
    {
        foreach (var stored in record.Filters)
        {
            if (stored.Durable is null)
            {
                continue;
            }
            if (stored.Queue is null)
            {
                await DeleteConsumerAsync(StreamNames.Messages, stored.Durable).ConfigureAwait(false);
            }
            else if (leaveShares)
            {
                await LeaveShareAsync(stored.Durable).ConfigureAwait(false);
            }
        }
        if (record.PubRel)
        {
            await DeleteConsumerAsync(StreamNames.Out, StreamNames.PubRelDurablePrefix + Nuid.Hash8(record.Id)).ConfigureAwait(false);
        }
        await DeleteSessionAsync(record).ConfigureAwait(false);
    }

    /// <summary>Removes a session record (a clean session ends, or a new clean one starts).</summary>
    public async Task DeleteSessionAsync(SessionRecord record)
    {
        if (record.Sequence == 0)
        {
            return;
        }
        try
        {
            await DeleteMessageAsync(StreamNames.Sessions, record.Sequence).ConfigureAwait(false);
        }
        catch (JsApiException e)
        {
            MqttLog.SessionRecordNotDeleted(_logger, record.Id, e.Message);
        }
        record.Sequence = 0;
    }

    /// <summary>
    /// Creates (or, same name, updates) the durable push consumer of a QoS 1/2 subscription on
    /// <c>$MQTT_msgs</c> (nats-server's <c>processJSConsumer</c>: deliver new, explicit ack,
    /// ack_wait, max_ack_pending; one consumer with two filters for <c>x/#</c>, which also takes <c>x</c>).
    /// </summary>
    public Task CreateConsumerAsync(string stream, string durable, string deliverSubject, IReadOnlyList<string> filters, MqttOptions options, string? deliverGroup = null, string deliverPolicy = "new")
    {
        var body = Json(json =>
        {
            json.WriteString("stream_name", stream);
            json.WriteStartObject("config");
            json.WriteString("durable_name", durable);
            json.WriteString("deliver_subject", deliverSubject);
            if (deliverGroup is not null)
            {
                json.WriteString("deliver_group", deliverGroup);
            }
            json.WriteString("deliver_policy", deliverPolicy);
            json.WriteString("ack_policy", "explicit");
            if (filters.Count == 1)
            {
                json.WriteString("filter_subject", filters[0]);
            }
            else
            {
                json.WriteStartArray("filter_subjects");
                foreach (var f in filters)
                {
                    json.WriteStringValue(f);
                }
                json.WriteEndArray();
            }
            json.WriteNumber("ack_wait", options.EffectiveAckWait.Ticks * 100);
            json.WriteNumber("max_ack_pending", options.EffectiveMaxAckPending);
            if (options.ConsumerMemoryStorage)
            {
                json.WriteBoolean("mem_storage", true);
            }
            if (options.ConsumerInactiveThreshold > TimeSpan.Zero)
            {
                json.WriteNumber("inactive_threshold", options.ConsumerInactiveThreshold.Ticks * 100);
            }
            json.WriteEndObject();
        });
        return Js.RequestAsync("CONSUMER.CREATE." + stream + "." + durable, body);
    }

    /// <summary>Deletes a consumer (gone already is fine).</summary>
    public async Task DeleteConsumerAsync(string stream, string durable)
    {
        try
        {
            await Js.RequestAsync("CONSUMER.DELETE." + stream + "." + durable, default).ConfigureAwait(false);
        }
        catch (JsApiException e) when (e.ErrCode == 10014)
        {
            // Consumer not found.
        }
    }

    /// <summary>A request body written with <see cref="Utf8JsonWriter"/> (the consumer and stream configs are decoded strictly: only known fields).</summary>
    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        _retainedFeed?.Dispose();
        Notices?.Dispose();
        await Js.DisposeAsync().ConfigureAwait(false);
    }
}
