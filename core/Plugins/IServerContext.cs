using Microsoft.Extensions.Logging;
using Nats.Core.Accounts;
using Nats.Core.Connections;
using Nats.Core.Monitoring;
using Nats.Core.Subjects;

namespace Nats.Core.Plugins;

/// <summary>What the kernel offers a plugin during <see cref="IServerPlugin.Configure"/> and after.</summary>
public interface IServerContext
{
    /// <summary>The server (for what the narrower members below do not cover).</summary>
    NatsServer Server { get; }

    /// <summary>The config bus: bind a section, register its reload hook.</summary>
    IConfigBus Config { get; }

    /// <summary>The accounts.</summary>
    AccountRegistry Accounts { get; }

    /// <summary>
    /// Named, hot-reloadable TLS certificate sets: install a listener's or link's set here and
    /// take fresh options per handshake, so reloads and watched files reach new connections.
    /// </summary>
    ITlsStore Tls { get; }

    /// <summary>Monitoring: register endpoints, /varz sections, health checks.</summary>
    MonitoringServer Monitoring { get; }

    /// <summary>Logging, in the server's format and level.</summary>
    ILoggerFactory Logging { get; }

    /// <summary>
    /// The <c>$SYS</c> services: add server and account requests (<c>$SYS.REQ.…</c>), publish
    /// events and advisories in the system account, contribute to STATSZ.
    /// </summary>
    SystemServices.ISystemServices SystemServices { get; }

    /// <summary>
    /// Server-wide events: clients connected and closed, lame duck mode, reloads, the heartbeat
    /// tick (<see cref="ServerEvents"/>). Subscribe from <see cref="IServerPlugin.StartAsync"/>.
    /// </summary>
    ServerEvents Events { get; }

    /// <summary>Adds an authenticator to the chain, after the built-in schemes.</summary>
    void AddAuthenticator(IAuthenticator authenticator);

    /// <summary>Observes local interest changes (to propagate them over a link, say).</summary>
    void AddInterestObserver(IInterestObserver observer);

    /// <summary>
    /// An in-process client connection in <paramref name="account"/> (the global account when
    /// null): how plugins talk to each other and to clients through subjects.
    /// </summary>
    IInProcessConnection Connect(Account? account = null);

    /// <summary>
    /// Reports a listener this plugin runs (websocket, leafnode, mqtt…) so tools find it where
    /// they find the kernel's: in <see cref="NatsServer.ListenerAddresses"/> and the ports file
    /// (<c>ports_file_dir</c>), under <see cref="ListenerAddress.Name"/> as its key. Call from
    /// <see cref="IServerPlugin.StartAsync"/> once the listener is bound, with the port it got.
    /// </summary>
    void AddListenerAddress(ListenerAddress address);
}
