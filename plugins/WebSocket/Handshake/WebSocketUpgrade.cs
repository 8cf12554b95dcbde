namespace Nats.WebSocket.Handshake;

/// <summary>
/// An accepted upgrade: what was negotiated and what the request carried that the connection
/// needs later (cookies standing in for CONNECT fields, the forwarded client address).
/// </summary>
public sealed record WebSocketUpgrade
{
    /// <summary>Client, leaf node or MQTT.</summary>
    public UpgradeKind Kind { get; init; }

    /// <summary>permessage-deflate was negotiated.</summary>
    public bool Compression { get; init; }

    /// <summary>The peer asked <c>Nats-No-Masking: true</c>: its frames come unmasked.</summary>
    public bool NoMasking { get; init; }

    /// <summary>The User-Agent starts with <c>Mozilla/</c>: outgoing frames are kept to 4 KiB, as browsers prefer.</summary>
    public bool Browser { get; init; }

    /// <summary>Safari: compressed messages must not be fragmented.</summary>
    public bool NoCompressedFragments { get; init; }

    /// <summary>Value of the <c>jwt_cookie</c>, or null.</summary>
    public string? CookieJwt { get; init; }

    /// <summary>Value of the <c>user_cookie</c>, or null.</summary>
    public string? CookieUsername { get; init; }

    /// <summary>Value of the <c>pass_cookie</c>, or null.</summary>
    public string? CookiePassword { get; init; }

    /// <summary>Value of the <c>token_cookie</c>, or null.</summary>
    public string? CookieToken { get; init; }

    /// <summary>The first <c>X-Forwarded-For</c> value when it is an IP address, or null.</summary>
    public string? ForwardedClientIp { get; init; }
}
