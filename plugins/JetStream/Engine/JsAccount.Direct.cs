using System.Globalization;
using System.Text;
using System.Text.Json;
using Nats.JetStream.Api;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

public sealed partial class JsAccount
{
    private const string DirectGetPrefix = "$JS.API.DIRECT.GET.";

    /// <summary>A direct get's answer: headers (a status line alone, or the message's headers with the stream's) and payload.</summary>
    public readonly record struct DirectReply(byte[] Headers, ReadOnlyMemory<byte> Payload);

    /// <summary>
    /// <c>$JS.API.DIRECT.GET.&lt;stream&gt;</c> (JSON body: <c>seq</c>, <c>last_by_subj</c> or
    /// <c>next_by_subj</c>) and <c>$JS.API.DIRECT.GET.&lt;stream&gt;.&lt;subject&gt;</c> (the last
    /// message on the subject, no body), as nats-server's <c>processDirectGetRequest</c>: the
    /// stored message with <c>Nats-Stream</c>, <c>Nats-Subject</c>, <c>Nats-Sequence</c> and
    /// <c>Nats-Time-Stamp</c> headers, or a <c>404 Message Not Found</c> / <c>408</c> status.
    /// Null when the subject is not a direct get of a stream here that allows it (nats-server
    /// has no responder then).
    /// </summary>
    public DirectReply? HandleDirectGet(string subject, ReadOnlySpan<byte> body)
    {
        if (!subject.StartsWith(DirectGetPrefix, StringComparison.Ordinal))
        {
            return null;
        }
        var rest = subject.AsSpan(DirectGetPrefix.Length);
        var dot = rest.IndexOf('.');
        var name = (dot < 0 ? rest : rest[..dot]).ToString();
        var stream = FindStream(name);
        if (stream is null || !stream.Config.AllowDirect)
        {
            return null;
        }
        MsgGetRequest req;
        if (dot >= 0)
        {
            var key = rest[(dot + 1)..].ToString();
            if (body.Length != 0 || key.Length == 0)
            {
                return Status("408 Bad Request");
            }
            req = new MsgGetRequest { LastFor = key };
        }
        else
        {
            if (body.Trim(" \t\r\n"u8).Length == 0)
            {
                return Status("408 Empty Request");
            }
            try
            {
                req = JsonSerializer.Deserialize(body, JsApiJsonContext.Default.MsgGetRequest) ?? new MsgGetRequest();
            }
            catch (JsonException)
            {
                return Status("408 Malformed Request");
            }
            var hasLast = !string.IsNullOrEmpty(req.LastFor);
            var hasNext = !string.IsNullOrEmpty(req.NextFor);
            if (req.Sequence == 0 && !hasLast && !hasNext)
            {
                return Status("408 Empty Request");
            }
            if ((req.Sequence > 0 && hasLast) || (hasLast && hasNext))
            {
                return Status("408 Bad Request");
            }
        }
        var store = stream.Store;
        var msg = new StoredMessage();
        var found = !string.IsNullOrEmpty(req.NextFor) ? store.LoadNext(SubjectFilter.Of(req.NextFor), Math.Max(1, req.Sequence), msg) != 0
            : req.Sequence > 0 ? store.TryLoad(req.Sequence, msg)
            : store.LoadLast(SubjectFilter.Of(req.LastFor), msg) != 0;
        if (!found)
        {
            return Status("404 Message Not Found");
        }
        return new DirectReply(DirectHeaders(stream.Name, msg), msg.Payload);
    }

    private static DirectReply Status(string status) => new(Encoding.ASCII.GetBytes($"NATS/1.0 {status}\r\n\r\n"), ReadOnlyMemory<byte>.Empty);

    /// <summary>The message's own headers (if any) followed by the stream's, as nats-server's genHeader appends them.</summary>
    private static byte[] DirectHeaders(string stream, StoredMessage msg)
    {
        var time = GoTimeConverter.Format(FromUnixNanos(msg.Timestamp));
        var added = string.Create(CultureInfo.InvariantCulture,
            $"Nats-Stream: {stream}\r\nNats-Subject: {msg.Subject}\r\nNats-Sequence: {msg.Sequence}\r\nNats-Time-Stamp: {time}\r\n\r\n");
        var own = msg.Headers.Span;
        if (own.Length == 0)
        {
            return Encoding.UTF8.GetBytes("NATS/1.0\r\n" + added);
        }
        // Drop the blank line that ends the stored block, then append ours (and a new blank line).
        var body = own.EndsWith("\r\n\r\n"u8) ? own[..^2] : own;
        var result = new byte[body.Length + Encoding.UTF8.GetByteCount(added)];
        body.CopyTo(result);
        Encoding.UTF8.GetBytes(added, result.AsSpan(body.Length));
        return result;
    }
}
