using System.Net;
using System.Net.Sockets;
using Nats.Core.Config;
using Nats.Core.Connections;
using Nats.Core.Plugins;
using Nats.TestSupport;

namespace Nats.Core.Tests.Plugins;

/// <summary>
/// <see cref="NatsServer.ListenerAddresses"/>: what the ports file lists, the kernel's listeners
/// in nats-server's order with the ports actually bound, then the ones plugins report.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class ListenerAddressesTests
{
    [Test]
    public async Task KernelListenersComeWithTheirBoundPortsThenPluginListeners()
    {
        var plugin = new ListeningPlugin();
        var options = new ServerOptions
        {
            Host = "127.0.0.1",
            Port = -1,
            Monitoring = { Host = "127.0.0.1", Port = -1 },
            Cluster = new ClusterOptions { Name = "la", Host = "127.0.0.1", Port = -1 },
        };
        await using var server = new NatsServer(options);
        server.AddPlugin(plugin, "listening");
        Assert.That(server.ListenerAddresses, Is.Empty, "nothing is bound before start");

        await server.StartAsync();

        Assert.That(server.ListenerAddresses, Is.EqualTo(new[]
        {
            new ListenerAddress("nats", "nats", "127.0.0.1", server.Port),
            new ListenerAddress("monitoring", "http", "127.0.0.1", server.Monitoring.Port),
            new ListenerAddress("cluster", "nats", "127.0.0.1", server.Routes!.Port),
            new ListenerAddress("mqtt", "mqtt", "127.0.0.1", plugin.Port),
        }));
        Assert.That(server.ListenerAddresses.Select(l => l.Port), Has.All.GreaterThan(0));
    }

    [Test]
    public async Task WithoutMonitoringOrClusterOnlyTheClientListenerIsListed()
    {
        await using var server = await TestServer.StartAsync();
        Assert.That(server.Server.ListenerAddresses, Is.EqualTo(new[] { new ListenerAddress("nats", "nats", "127.0.0.1", server.Port) }));
    }

    [Test]
    public void AnUnboundPortIsRefused()
    {
        var server = new NatsServer(new ServerOptions { Port = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => server.AddListenerAddress(new ListenerAddress("mqtt", "mqtt", "0.0.0.0", 0)));
    }

    /// <summary>A plugin with a listener of its own, reported once bound.</summary>
    private sealed class ListeningPlugin : IServerPlugin
    {
        private IServerContext _context = null!;
        private Socket? _socket;

        public int Port { get; private set; }

        public void Configure(IServerContext context) => _context = context;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _socket.Listen();
            Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
            _context.AddListenerAddress(new ListenerAddress("mqtt", "mqtt", "127.0.0.1", Port));
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            _socket?.Dispose();
            return Task.CompletedTask;
        }
    }
}
