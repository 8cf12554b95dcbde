namespace Nats.Core.Protocol;

/// <summary>The operations a client (or any peer speaking the client protocol) sends.</summary>
internal enum ClientOp : byte
{
    None,
    Pub,
    HPub,
    Sub,
    Unsub,
    Ping,
    Pong,
    Connect,
    Info,
    Ok,
    Err,
}

/// <summary>
/// One parsed operation. Every span points into the connection's receive buffer and is valid
/// only until the next read, which is why this is a ref struct: it cannot escape the parse loop.
/// </summary>
internal ref struct ClientCommand
{
    public ClientOp Op;

    /// <summary>PUB/HPUB/SUB subject.</summary>
    public ReadOnlySpan<byte> Subject;

    /// <summary>PUB/HPUB reply subject (empty if none).</summary>
    public ReadOnlySpan<byte> Reply;

    /// <summary>SUB queue group (empty if none).</summary>
    public ReadOnlySpan<byte> Queue;

    /// <summary>SUB/UNSUB subscription id.</summary>
    public ReadOnlySpan<byte> Sid;

    /// <summary>The argument text of CONNECT, INFO and -ERR.</summary>
    public ReadOnlySpan<byte> Argument;

    /// <summary>HPUB header block (<c>NATS/1.0…\r\n\r\n</c>).</summary>
    public ReadOnlySpan<byte> Headers;

    /// <summary>PUB/HPUB payload (after the headers).</summary>
    public ReadOnlySpan<byte> Payload;

    /// <summary>UNSUB max messages; 0 when absent.</summary>
    public long MaxMessages;
}
