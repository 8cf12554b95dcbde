using System.Net;

namespace Nats.Core.Connections;

/// <summary>
/// A connection a transport plugin accepted and upgraded (a WebSocket whose path asked for a
/// leaf node, say), handed through <see cref="NatsServer.AcceptStreamAsync"/> to the plugin
/// that serves its <see cref="Plugins.ConnectionKind"/>. The receiver owns <see cref="Stream"/>.
/// </summary>
/// <param name="Stream">The duplex stream, already framed by the transport: reads return what the peer sent.</param>
/// <param name="Remote">The peer's address, if known.</param>
public sealed record AcceptedStream(Stream Stream, IPEndPoint? Remote)
{
    /// <summary>Our end's address, if known.</summary>
    public IPEndPoint? Local { get; init; }

    /// <summary>The transport that carried it (<c>websocket</c>), for logs; empty when unnamed.</summary>
    public string Transport { get; init; } = "";

    /// <summary>TLS the transport ran underneath the stream (wss://), or null.</summary>
    public TlsConnectionInfo? Tls { get; init; }
}
