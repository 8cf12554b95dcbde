using System.Buffers;
using System.Text.Json;

namespace Nats.Mqtt.Store;

/// <summary>One subscription of a stored session: the filter as sent, its options and its JetStream consumer.</summary>
internal sealed record StoredSubscription(
    string Filter, string Subject, string? Queue, int Qos, bool NoLocal, bool RetainAsPublished, int RetainHandling,
    uint Identifier, string? Durable, string? DeliverSubject, string[]? FilterSubjects);

/// <summary>
/// A session record in <c>$MQTT_sess</c>: nats-server's <c>mqttPersistedSession</c> fields
/// (<c>origin</c>, <c>id</c>, <c>clean</c>, <c>subs</c> subject → QoS, <c>cons</c> sid → consumer
/// config) so tools reading the stream see the same shape, plus <c>filters</c> (what this server
/// restores from: each filter as the client sent it, with its MQTT 5 options and consumer) and
/// <c>expiry</c>/<c>disconnected</c> (MQTT 5 session expiry, in seconds and unix seconds).
/// </summary>
internal sealed class SessionRecord
{
    public required string Id { get; init; }

    public bool Clean { get; set; }

    public List<StoredSubscription> Filters { get; init; } = [];

    /// <summary>MQTT 5 session expiry interval in seconds (uint.MaxValue: never; 0: none after close).</summary>
    public uint Expiry { get; set; }

    /// <summary>When the client went away (unix seconds), 0 while connected.</summary>
    public long Disconnected { get; set; }

    /// <summary>The session has its PUBREL consumer on <c>$MQTT_out</c> (a QoS 2 subscription was made).</summary>
    public bool PubRel { get; set; }

    /// <summary>MQTT 5: the session expiry interval ran out while the client was away (at <paramref name="nowUnixSeconds"/>).</summary>
    public bool ExpiredAt(long nowUnixSeconds) =>
        Disconnected > 0 && Expiry != uint.MaxValue && nowUnixSeconds - Disconnected >= Expiry;

    /// <summary>The record's stream sequence (not stored; 0 when not stored yet).</summary>
    public ulong Sequence { get; set; }

    public byte[] Encode(string origin, TimeSpan ackWait, int maxAckPending)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("origin", origin);
            json.WriteString("id", Id);
            if (Clean)
            {
                json.WriteBoolean("clean", true);
            }
            json.WriteStartObject("subs");
            foreach (var s in Filters)
            {
                json.WriteNumber(Sid(s), s.Qos);
            }
            json.WriteEndObject();
            json.WriteStartObject("cons");
            foreach (var s in Filters.Where(s => s.Durable is not null))
            {
                json.WriteStartObject(Sid(s));
                json.WriteString("durable_name", s.Durable);
                json.WriteString("deliver_subject", s.DeliverSubject);
                json.WriteString("deliver_policy", "new");
                json.WriteString("ack_policy", "explicit");
                json.WriteString("filter_subject", StreamNames.MessagesPrefix + s.Subject);
                json.WriteNumber("ack_wait", ackWait.Ticks * 100);
                json.WriteNumber("max_ack_pending", maxAckPending);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteStartArray("filters");
            foreach (var s in Filters)
            {
                json.WriteStartObject();
                json.WriteString("filter", s.Filter);
                json.WriteString("subject", s.Subject);
                if (s.Queue is not null)
                {
                    json.WriteString("queue", s.Queue);
                }
                json.WriteNumber("qos", s.Qos);
                if (s.NoLocal)
                {
                    json.WriteBoolean("nl", true);
                }
                if (s.RetainAsPublished)
                {
                    json.WriteBoolean("rap", true);
                }
                if (s.RetainHandling != 0)
                {
                    json.WriteNumber("rh", s.RetainHandling);
                }
                if (s.Identifier != 0)
                {
                    json.WriteNumber("sub_id", s.Identifier);
                }
                if (s.Durable is not null)
                {
                    json.WriteString("durable", s.Durable);
                    json.WriteString("deliver", s.DeliverSubject);
                    json.WriteStartArray("filter_subjects");
                    foreach (var f in s.FilterSubjects ?? [])
                    {
                        json.WriteStringValue(f);
                    }
                    json.WriteEndArray();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (PubRel)
            {
                // nats-server keeps the PUBREL consumer's config here.
                json.WriteStartObject("pubrel");
                json.WriteString("durable_name", StreamNames.PubRelDurablePrefix + Nuid.Hash8(Id));
                json.WriteString("deliver_subject", StreamNames.PubRelDeliverPrefix + Nuid.Hash8(Id));
                json.WriteEndObject();
            }
            if (Expiry != 0)
            {
                json.WriteNumber("expiry", Expiry);
            }
            if (Disconnected != 0)
            {
                json.WriteNumber("disconnected", Disconnected);
            }
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    // nats-server keys subs and cons by the subject (the sid); a shared subscription by its group too.
    private static string Sid(StoredSubscription s) => s.Queue is null ? s.Subject : "$share/" + s.Queue + "/" + s.Subject;

    /// <summary>Reads a record; null when it is not one this server can restore.</summary>
    public static SessionRecord? Decode(ReadOnlySpan<byte> json, ulong sequence)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            var root = document.RootElement;
            var record = new SessionRecord
            {
                Id = root.TryGetProperty("id", out var id) ? id.GetString() ?? "" : "",
                Clean = root.TryGetProperty("clean", out var clean) && clean.GetBoolean(),
                Expiry = root.TryGetProperty("expiry", out var expiry) ? expiry.GetUInt32() : 0,
                Disconnected = root.TryGetProperty("disconnected", out var gone) ? gone.GetInt64() : 0,
                Sequence = sequence,
                PubRel = root.TryGetProperty("pubrel", out var pubrel) && pubrel.ValueKind == JsonValueKind.Object,
            };
            if (root.TryGetProperty("filters", out var filters) && filters.ValueKind == JsonValueKind.Array)
            {
                foreach (var f in filters.EnumerateArray())
                {
                    record.Filters.Add(new StoredSubscription(
                        f.GetProperty("filter").GetString()!,
                        f.GetProperty("subject").GetString()!,
                        f.TryGetProperty("queue", out var q) ? q.GetString() : null,
                        f.GetProperty("qos").GetInt32(),
                        f.TryGetProperty("nl", out var nl) && nl.GetBoolean(),
                        f.TryGetProperty("rap", out var rap) && rap.GetBoolean(),
                        f.TryGetProperty("rh", out var rh) ? rh.GetInt32() : 0,
                        f.TryGetProperty("sub_id", out var sid) ? sid.GetUInt32() : 0,
                        f.TryGetProperty("durable", out var d) ? d.GetString() : null,
                        f.TryGetProperty("deliver", out var ds) ? ds.GetString() : null,
                        f.TryGetProperty("filter_subjects", out var fs) ? [.. fs.EnumerateArray().Select(e => e.GetString()!)] : null));
                }
            }
            return record;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return null;
        }
    }
}
