namespace Nats.WebSocket.Framing;

/// <summary>
/// The peer broke RFC 6455 (or a limit): the close frame with <see cref="Status"/> has been
/// sent and the connection must be closed. An <see cref="IOException"/>, so a reader treats it
/// like any broken connection.
/// </summary>
public sealed class WebSocketProtocolException : IOException
{
    /// <summary>Creates the exception.</summary>
    public WebSocketProtocolException(ushort status, string message) : base(message) => Status = status;

    /// <summary>The close status sent to the peer.</summary>
    public ushort Status { get; }
}
