using System.Buffers;
using Nats.Core.Protocol;
using Nats.Core.Subjects;

namespace Nats.Core.Connections;

public sealed partial class ClientConnection
{
    private const int StackHeaderLimit = 512;

    /// <summary>Messages delivered to the client.</summary>
    public long OutMessages => Out.MessagesQueued;

    /// <summary>Payload bytes delivered to the client.</summary>
    public long OutBytes => Out.PayloadBytesQueued;

    /// <summary>
    /// Queues <c>MSG subject sid [reply] size</c> (or HMSG when the message has headers and
    /// the client negotiated them) and the payload. Runs on the publisher's thread.
    /// </summary>
    public bool Deliver(Subscription subscription, in MessageView message)
    {
        if (subscription.IsClosed || IsClosed)
        {
            return false;
        }
        if (_deliveryFilterEnabled && _authorization.Permissions is { } permissions && permissions.IsDeliveryDenied(message.Subject, subscription.Queue))
        {
            return false;
        }
        // Every delivery counts (nats-server's sub.nm), not only those after an UNSUB max:
        // "UNSUB sid 3" after five deliveries must remove the subscription at once.
        var delivered = subscription.IncrementDelivered();
        if (subscription.MaxMessages > 0 && !WithinLimit(subscription, delivered))
        {
            return false;
        }
        if (!message.Reply.IsEmpty && _authorization.Permissions?.Responses is { } responses)
        {
            TrackResponsePermission(responses, message.Reply);
        }
        if (_deliveryTarget is { } target)
        {
            // The plugin speaking the client's protocol encodes it (MQTT PUBLISH), no MSG line.
            var taken = target.Deliver(subscription.Sid, message);
            if (taken)
            {
                Out.CountDeliveredElsewhere(message.Headers.Length + message.Payload.Length);
            }
            return taken;
        }

        var withHeaders = _headersEnabled && !message.Headers.IsEmpty;
        var headers = withHeaders ? message.Headers : default;
        var totalSize = headers.Length + message.Payload.Length;
        var maxLength = 32 + message.Subject.Length + subscription.Sid.Length + message.Reply.Length;
        byte[]? rented = null;
        var line = maxLength <= StackHeaderLimit
            ? stackalloc byte[StackHeaderLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(maxLength));
        var length = FormatMessageLine(line, message.Subject, subscription.Sid, message.Reply, withHeaders ? headers.Length : -1, totalSize);
        if (Server.TraceProtocol)
        {
            TraceDelivered(line[..length]);
        }
        var result = Out.AppendMessage(line[..length], headers, message.Payload, Crlf);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        if (result == AppendResult.SlowConsumer)
        {
            // Counted once, by close reason, when the server drops the connection.
            CloseAsSlowConsumer();
        }
        return result == AppendResult.Queued;
    }

    /// <summary>Checks a counted delivery against an UNSUB max; false when the limit was already reached.</summary>
    private bool WithinLimit(Subscription subscription, long delivered)
    {
        if (delivered > subscription.MaxMessages)
        {
            return false;
        }
        if (delivered == subscription.MaxMessages)
        {
            RemoveSubscription(subscription);
        }
        return true;
    }

    /// <summary>Writes <c>MSG subject sid [reply] size\r\n</c> or <c>HMSG subject sid [reply] hdr total\r\n</c>.</summary>
    internal static int FormatMessageLine(Span<byte> line, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> sid, ReadOnlySpan<byte> reply, int headerSize, int totalSize)
    {
        var position = 0;
        ControlLineWriter.Raw(line, ref position, headerSize >= 0 ? "HMSG "u8 : "MSG "u8);
        ControlLineWriter.Token(line, ref position, subject);
        ControlLineWriter.Token(line, ref position, sid);
        if (!reply.IsEmpty)
        {
            ControlLineWriter.Token(line, ref position, reply);
        }
        return ControlLineWriter.SizesAndEnd(line, position, headerSize, totalSize);
    }
}
