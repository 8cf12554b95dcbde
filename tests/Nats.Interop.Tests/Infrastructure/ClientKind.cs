namespace Nats.Interop.Tests.Infrastructure;

/// <summary>The official clients every scenario is run with.</summary>
public enum ClientKind
{
    /// <summary>nats.js (the <c>nats</c> npm package) on node.</summary>
    Js,

    /// <summary>nats.c (libnats), compiled with gcc.</summary>
    C,
}
