namespace Nats.Core.Connections;

/// <summary>
/// One listener the server reports where tools look for it: in the ports file
/// (<c>ports_file_dir</c>, <c>&lt;exe&gt;_&lt;pid&gt;.ports</c>), nats-server writes
/// <c>{"nats":[…],"monitoring":[…],"cluster":[…],"websocket":[…]}</c>. The kernel reports its
/// own listeners (<see cref="NatsServer.ListenerAddresses"/>); a plugin adds its listener with
/// <see cref="Plugins.IServerContext.AddListenerAddress"/> once it is bound.
/// </summary>
/// <param name="Name">The ports file key: <c>nats</c>, <c>monitoring</c>, <c>cluster</c>, <c>websocket</c>, <c>leafnode</c>, <c>mqtt</c>…</param>
/// <param name="Scheme">The URL scheme clients use: <c>nats</c>, <c>tls</c>, <c>http</c>, <c>https</c>, <c>ws</c>, <c>wss</c>…</param>
/// <param name="Host">The host it listens on as configured; one that means every interface (<c>0.0.0.0</c>, <c>::</c>, empty) is listed as each interface's address.</param>
/// <param name="Port">The port actually bound (not -1 or 0).</param>
public sealed record ListenerAddress(string Name, string Scheme, string Host, int Port);
