namespace Nats.Leafnode.Protocol;

/// <summary>Operations of the leaf protocol.</summary>
internal enum LeafOp : byte
{
    None,
    Info,
    Connect,
    Ping,
    Pong,
    Ok,
    Err,
    Sub,
    Unsub,
    Message,
}

/// <summary>How parsing the front of the receive buffer went.</summary>
internal enum LeafParseStatus : byte
{
    /// <summary>One operation parsed; <c>consumed</c> bytes belong to it.</summary>
    Complete,

    /// <summary>The operation is not complete yet; <c>needed</c> tells its size when known.</summary>
    NeedMore,

    /// <summary>Not an operation of the leaf protocol.</summary>
    UnknownOperation,

    /// <summary>An operation with malformed arguments.</summary>
    BadArguments,

    /// <summary>A control line longer than allowed.</summary>
    ControlLineTooLong,

    /// <summary>A message larger than max_payload.</summary>
    PayloadTooLarge,
}

/// <summary>One parsed leaf operation; spans point into the receive buffer.</summary>
internal ref struct LeafCommand
{
    public LeafOp Op;

    /// <summary>The argument text of INFO, CONNECT and -ERR.</summary>
    public ReadOnlySpan<byte> Argument;

    public ReadOnlySpan<byte> Subject;
    public ReadOnlySpan<byte> Reply;

    /// <summary>LS+/LS-: the queue group, empty for plain interest.</summary>
    public ReadOnlySpan<byte> Queue;

    /// <summary>LMSG/HMSG: the queue groups the sender picked us for (space-separated).</summary>
    public ReadOnlySpan<byte> Queues;

    /// <summary>LS+/LS-: the key nats-server files the interest under ("subject" or "subject queue").</summary>
    public ReadOnlySpan<byte> Key;

    public ReadOnlySpan<byte> Headers;
    public ReadOnlySpan<byte> Payload;
    public int QueueWeight;
}
