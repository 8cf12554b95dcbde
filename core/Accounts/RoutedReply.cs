namespace Nats.Core.Accounts;

/// <summary>
/// How a message routed on one subject but shown with another (a JetStream delivery, see
/// <see cref="MessageRouter.PublishTo"/>) crosses to another server: the shown subject rides at
/// the end of the reply, <c>reply@subject</c>, as nats-server 2.9.10 sends it over routes,
/// gateways and leafs. The receiving server takes apart only JetStream ack replies
/// (<c>$JS.ACK.</c>), as nats-server does: any other reply passes unchanged.
/// </summary>
internal static class RoutedReply
{
    private static ReadOnlySpan<byte> AckPrefix => "$JS.ACK."u8;

    /// <summary>The length of <c>reply@subject</c>.</summary>
    public static int Length(ReadOnlySpan<byte> reply, ReadOnlySpan<byte> shownSubject) => reply.Length + 1 + shownSubject.Length;

    /// <summary>Writes <c>reply@subject</c> into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Join(Span<byte> destination, ReadOnlySpan<byte> reply, ReadOnlySpan<byte> shownSubject)
    {
        reply.CopyTo(destination);
        destination[reply.Length] = (byte)'@';
        shownSubject.CopyTo(destination[(reply.Length + 1)..]);
        return Length(reply, shownSubject);
    }

    /// <summary>
    /// Splits a reply that arrived over a link: true for <c>$JS.ACK.…@subject</c> (the last
    /// <c>@</c>, with something after it), giving the reply to deliver and the subject to show.
    /// </summary>
    public static bool TrySplit(ReadOnlySpan<byte> carried, out ReadOnlySpan<byte> reply, out ReadOnlySpan<byte> shownSubject)
    {
        reply = carried;
        shownSubject = default;
        if (!carried.StartsWith(AckPrefix))
        {
            return false;
        }
        var at = carried.LastIndexOf((byte)'@');
        if (at < 0 || at == carried.Length - 1)
        {
            return false;
        }
        reply = carried[..at];
        shownSubject = carried[(at + 1)..];
        return true;
    }
}
