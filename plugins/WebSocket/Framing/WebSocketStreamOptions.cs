namespace Nats.WebSocket.Framing;

/// <summary>How a <see cref="WebSocketStream"/> frames: its role and what the handshake negotiated.</summary>
public sealed record WebSocketStreamOptions
{
    /// <summary>nats-server's <c>wsFrameSizeForBrowsers</c>: browsers do better with frames of at most 4 KiB.</summary>
    public const int BrowserFrameSize = 4096;

    /// <summary>nats-server's <c>wsMaxMsgPayloadLimit</c>.</summary>
    public const long MaxMessageLimit = 64L * 1024 * 1024;

    /// <summary>Frames from the peer must be masked (a server reading a client): an unmasked one is a protocol error.</summary>
    public bool RequireMaskedInput { get; init; } = true;

    /// <summary>Mask our frames (a client writing to a server, e.g. a leaf node dialing out).</summary>
    public bool MaskOutput { get; init; }

    /// <summary>permessage-deflate was negotiated.</summary>
    public bool Compression { get; init; }

    /// <summary>Keep outgoing frames to <see cref="BrowserFrameSize"/> (a browser peer).</summary>
    public bool Browser { get; init; }

    /// <summary>Do not fragment compressed messages (Safari).</summary>
    public bool NoCompressedFragments { get; init; }

    /// <summary>
    /// The server's <c>max_payload</c>: a compressed message inflating to more is refused with
    /// close status 1009, as nats-server does. Also sets <see cref="MaxFrameLength"/>'s default.
    /// </summary>
    public int MaxPayload { get; init; } = 1024 * 1024;

    /// <summary>
    /// Largest frame, and largest compressed message, accepted from the peer; a larger one is
    /// refused with close status 1009 before any of its payload is read. Default: nats-server's
    /// <c>wsMaxMessageSize</c>, 8 × max_payload capped at 64 MiB (nats-server applies it to
    /// compressed messages only; we bound uncompressed frames by it too).
    /// </summary>
    public long MaxFrameLength { get; init; }

    /// <summary>The effective <see cref="MaxFrameLength"/>.</summary>
    public long EffectiveMaxFrameLength => MaxFrameLength > 0 ? MaxFrameLength : Math.Min(8L * Math.Max(MaxPayload, 1), MaxMessageLimit);

    /// <summary>How long disposing waits to send the close frame to a peer that does not read.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Leave the inner stream open when this one is disposed.</summary>
    public bool LeaveInnerStreamOpen { get; init; }
}
