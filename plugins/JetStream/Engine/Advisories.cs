using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Nats.Core.Security;
using Nats.JetStream.Api;

namespace Nats.JetStream.Engine;

/// <summary>
/// The advisories nats-server publishes on <c>$JS.EVENT.ADVISORY.&gt;</c> (jetstream_events.go):
/// the same subjects, <c>type</c> strings and JSON field names, so that tools watching them
/// (nats CLI <c>events</c>, dashboards, DLQ handlers on max deliveries) work unchanged.
/// As nats-server, nothing is encoded when no one listens (<see cref="IJetStreamOutput.HasInterest"/>),
/// so the cost on the message path is one interest check.
/// </summary>
public static class Advisories
{
    private const string Prefix = "$JS.EVENT.ADVISORY.";

    /// <summary>Go's encoding/json writes <c>"</c> as <c>\"</c>; the relaxed encoder does too (the default writes <c>\u0022</c>).</summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary><c>STREAM.CREATED|DELETED|UPDATED.&lt;stream&gt;</c>, type <c>stream_action</c>, action create | delete | modify.</summary>
    public static void StreamAction(IJetStreamOutput output, string? domain, string stream, string action)
    {
        var kind = action switch { "create" => "CREATED", "delete" => "DELETED", _ => "UPDATED" };
        var subject = $"{Prefix}STREAM.{kind}.{stream}";
        if (!output.HasInterest(subject))
        {
            return;
        }
        Send(output, subject, "stream_action", w =>
        {
            w.WriteString("stream", stream);
            w.WriteString("action", action);
            Domain(w, domain);
        });
    }

    /// <summary>
    /// <c>API.LIMIT_REACHED</c>, type <c>api_limit_reached</c>: the API queue passed its limit and
    /// <paramref name="dropped"/> waiting requests were dropped. The caller passes the system
    /// account's output, where nats-server sends it.
    /// </summary>
    public static void ApiLimitReached(IJetStreamOutput output, string? domain, string? server, long dropped)
    {
        const string subject = Prefix + "API.LIMIT_REACHED";
        if (!output.HasInterest(subject))
        {
            return;
        }
        Send(output, subject, "api_limit_reached", w =>
        {
            w.WriteString("server", server ?? "");
            Domain(w, domain);
            w.WriteNumber("dropped", dropped);
        });
    }

    /// <summary><c>CONSUMER.CREATED|DELETED.&lt;stream&gt;.&lt;consumer&gt;</c>, type <c>consumer_action</c>.</summary>
    public static void ConsumerAction(IJetStreamOutput output, string? domain, string stream, string consumer, string action)
    {
        var subject = $"{Prefix}CONSUMER.{(action == "create" ? "CREATED" : "DELETED")}.{stream}.{consumer}";
        if (!output.HasInterest(subject))
        {
            return;
        }
        Send(output, subject, "consumer_action", w =>
        {
            w.WriteString("stream", stream);
            w.WriteString("consumer", consumer);
            w.WriteString("action", action);
            Domain(w, domain);
        });
    }

    /// <summary><c>CONSUMER.PAUSE.&lt;stream&gt;.&lt;consumer&gt;</c> (type <c>consumer_pause</c>, nats-server 2.11).</summary>
    public static void ConsumerPause(IJetStreamOutput output, string? domain, string stream, string consumer, bool paused, DateTime? until)
    {
        var subject = $"{Prefix}CONSUMER.PAUSE.{stream}.{consumer}";
        if (!output.HasInterest(subject))
        {
            return;
        }
        Send(output, subject, "consumer_pause", w =>
        {
            w.WriteString("stream", stream);
            w.WriteString("consumer", consumer);
            w.WriteBoolean("paused", paused);
            if (until is { } u)
            {
                w.WriteString("pause_until", GoTimeConverter.Format(u));
            }
            Domain(w, domain);
        });
    }

    /// <summary>
    /// <c>CONSUMER.MAX_DELIVERIES.&lt;stream&gt;.&lt;consumer&gt;</c> (type <c>max_deliver</c>, no
    /// consumer sequence), <c>CONSUMER.MSG_NAKED…</c> (<c>nak</c>, nats-server 2.11+) and
    /// <c>CONSUMER.MSG_TERMINATED…</c> (<c>terminated</c>, with the optional reason).
    /// </summary>
    public static void Delivery(IJetStreamOutput output, string? domain, DeliveryEvent kind, string stream, string consumer,
        ulong consumerSeq, ulong streamSeq, ulong deliveries, string? reason = null)
    {
        var (subjectKind, type) = kind switch
        {
            DeliveryEvent.MaxDeliveries => ("MAX_DELIVERIES", "max_deliver"),
            DeliveryEvent.Naked => ("MSG_NAKED", "nak"),
            _ => ("MSG_TERMINATED", "terminated"),
        };
        var subject = $"{Prefix}CONSUMER.{subjectKind}.{stream}.{consumer}";
        if (!output.HasInterest(subject))
        {
            return;
        }
        Send(output, subject, type, w =>
        {
            w.WriteString("stream", stream);
            w.WriteString("consumer", consumer);
            if (kind != DeliveryEvent.MaxDeliveries)
            {
                w.WriteNumber("consumer_seq", consumerSeq);
            }
            w.WriteNumber("stream_seq", streamSeq);
            w.WriteNumber("deliveries", deliveries);
            if (kind == DeliveryEvent.Terminated && !string.IsNullOrEmpty(reason))
            {
                w.WriteString("reason", reason);
            }
            Domain(w, domain);
        });
    }

    /// <summary>
    /// <c>$JS.EVENT.ADVISORY.API</c> (type <c>api_audit</c>) after every API response: the request
    /// subject and body and the response. <c>client</c> carries what this server knows of the
    /// requester (its account and this server; the kernel does not hand the connection to sinks).
    /// </summary>
    public static void ApiAudit(IJetStreamOutput output, string? domain, string server, string? account, string subject,
        ReadOnlySpan<byte> request, ReadOnlySpan<byte> response)
    {
        const string auditSubject = "$JS.EVENT.ADVISORY.API";
        if (!output.HasInterest(auditSubject))
        {
            return;
        }
        var requestText = request.Length == 0 ? null : System.Text.Encoding.UTF8.GetString(request);
        var responseText = System.Text.Encoding.UTF8.GetString(response);
        Send(output, auditSubject, "api_audit", w =>
        {
            w.WriteString("server", server);
            w.WritePropertyName("client");
            w.WriteStartObject();
            if (!string.IsNullOrEmpty(account))
            {
                w.WriteString("acc", account);
            }
            if (server.Length > 0)
            {
                w.WriteString("server", server);
            }
            w.WriteEndObject();
            w.WriteString("subject", subject);
            if (requestText is not null)
            {
                w.WriteString("request", requestText);
            }
            w.WriteString("response", responseText);
            Domain(w, domain);
        });
    }

    private static void Domain(Utf8JsonWriter w, string? domain)
    {
        if (!string.IsNullOrEmpty(domain))
        {
            w.WriteString("domain", domain);
        }
    }

    /// <summary>Writes <c>type</c>, <c>id</c> and <c>timestamp</c> (nats-server's TypedEvent), then the body, and publishes.</summary>
    private static void Send(IJetStreamOutput output, string subject, string type, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("type", "io.nats.jetstream.advisory.v1." + type);
            w.WriteString("id", SecureRandom.NewId());
            w.WriteString("timestamp", GoTimeConverter.Format(DateTime.UtcNow));
            body(w);
            w.WriteEndObject();
        }
        output.Publish(subject, null, default, buffer.WrittenSpan);
    }
}

/// <summary>The per-message consumer advisories.</summary>
public enum DeliveryEvent
{
    /// <summary>The message reached the consumer's <c>max_deliver</c> (<c>$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES</c>).</summary>
    MaxDeliveries,

    /// <summary>The client refused the message with <c>-NAK</c> (<c>…CONSUMER.MSG_NAKED</c>).</summary>
    Naked,

    /// <summary>The client ended the message's deliveries with <c>+TERM</c> (<c>…CONSUMER.MSG_TERMINATED</c>).</summary>
    Terminated,
}
