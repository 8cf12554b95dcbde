namespace Nats.Core.Protocol;

/// <summary>What the parser found at the start of the buffer.</summary>
internal enum ParseStatus : byte
{
    /// <summary>One complete operation was parsed.</summary>
    Complete,

    /// <summary>The buffer ends inside an operation; read more (see the needed byte count).</summary>
    NeedMore,

    /// <summary>Not an operation this peer may send: <c>-ERR 'Unknown Protocol Operation'</c>, then close.</summary>
    UnknownOperation,

    /// <summary>Malformed arguments: close without an -ERR, as nats-server does.</summary>
    BadArguments,

    /// <summary>The control line is longer than max_control_line.</summary>
    ControlLineTooLong,

    /// <summary>The payload size exceeds max_payload.</summary>
    PayloadTooLarge,
}
