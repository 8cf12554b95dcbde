using System.Buffers;
using System.Buffers.Text;
using Nats.Core.Subjects;

namespace Nats.Core.Connections;

public sealed partial class ClientConnection
{
    private const int StackHeaderLimit = 512;

    private bool _deliveryFilterEnabled;
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
        if (_deliveryFilterEnabled && _permissions is { } permissions && permissions.IsDeliveryDenied(message.Subject, subscription.Queue))
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
        if (!message.Reply.IsEmpty && _permissions?.Responses is not null)
        {
            TrackResponsePermission(message.Reply);
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
        var result = Out.AppendMessage(line[..length], headers, message.Payload, Crlf);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        if (result == AppendResult.SlowConsumer)
        {
            // Counted once, by close reason, when the server drops the connection.
            Close(ClosedReason.SlowConsumerPendingBytes);
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
        if (headerSize >= 0)
        {
            line[position++] = (byte)'H';
        }
        "MSG "u8.CopyTo(line[position..]);
        position += 4;
        subject.CopyTo(line[position..]);
        position += subject.Length;
        line[position++] = (byte)' ';
        sid.CopyTo(line[position..]);
        position += sid.Length;
        line[position++] = (byte)' ';
        if (!reply.IsEmpty)
        {
            reply.CopyTo(line[position..]);
            position += reply.Length;
            line[position++] = (byte)' ';
        }
        if (headerSize >= 0)
        {
            Utf8Formatter.TryFormat(headerSize, line[position..], out var written);
            position += written;
            line[position++] = (byte)' ';
        }
        Utf8Formatter.TryFormat(totalSize, line[position..], out var sizeWritten);
        position += sizeWritten;
        line[position++] = (byte)'\r';
        line[position++] = (byte)'\n';
        return position;
    }
}
