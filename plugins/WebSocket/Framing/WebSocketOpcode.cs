namespace Nats.WebSocket.Framing;

/// <summary>RFC 6455 5.2 opcodes.</summary>
public enum WebSocketOpcode : byte
{
    /// <summary>A continuation of a fragmented message.</summary>
    Continuation = 0,

    /// <summary>A text message (nats.ws never sends one, but the protocol bytes are the same).</summary>
    Text = 1,

    /// <summary>A binary message: what NATS protocol bytes travel in.</summary>
    Binary = 2,

    /// <summary>Close, with an optional status and reason.</summary>
    Close = 8,

    /// <summary>Ping: answered with a pong carrying the same payload.</summary>
    Ping = 9,

    /// <summary>Pong.</summary>
    Pong = 10,
}
