using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Nats.Core.Connections;
using Nats.TestSupport;

namespace Nats.Core.Tests.Connections;

/// <summary>The one accept loop every listener uses: binding, dual-mode, handing sockets over, stopping.</summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class ConnectionListenerTests
{
    [Test]
    public async Task AClientReachesADefaultListenerOverIpv6LoopbackToo()
    {
        if (!Socket.OSSupportsIPv6)
        {
            Assert.Ignore("no IPv6 on this machine");
        }
        await using var server = await TestServer.StartAsync(o => o.Host = "0.0.0.0");
        foreach (var address in new[] { IPAddress.IPv6Loopback, IPAddress.Loopback })
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.ConnectAsync(new IPEndPoint(address, server.Port), cts.Token);
            var buffer = new byte[4096];
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            var info = Encoding.UTF8.GetString(buffer, 0, read);
            Assert.That(info, Does.StartWith("INFO "));
            // IPv4 peers of a dual-mode socket are shown as IPv4, as nats-server shows them.
            Assert.That(info, Does.Contain($"\"client_ip\":\"{address}\""));
        }
    }

    [Test]
    public async Task HandsEveryAcceptedSocketToTheCreateFunctionAndStopsOnRequest()
    {
        var accepted = 0;
        var listener = ConnectionListener.Start("test", new HostPort("127.0.0.1", 0), NullLogger.Instance, socket =>
        {
            Interlocked.Increment(ref accepted);
            Assert.That(socket.NoDelay, Is.True);
            socket.Dispose();
            return Task.CompletedTask;
        }, CancellationToken.None);
        for (var i = 0; i < 3; i++)
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(IPAddress.Loopback, listener.Port);
        }
        await Eventually.TrueAsync(() => Volatile.Read(ref accepted) == 3, "three sockets handed over");
        listener.Stop();
        using var late = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Assert.ThrowsAsync<SocketException>(async () => await late.ConnectAsync(IPAddress.Loopback, listener.Port));
        Assert.That(listener.AcceptErrors, Is.Zero);
    }

    [Test]
    public async Task ItsShutdownTokenClosesThePortSoLateClientsAreRefused()
    {
        using var shutdown = new CancellationTokenSource();
        var listener = ConnectionListener.Start("test", new HostPort("127.0.0.1", 0), NullLogger.Instance, socket =>
        {
            socket.Dispose();
            return Task.CompletedTask;
        }, shutdown.Token);
        shutdown.Cancel();
        // Refused, not held in the backlog of a port nobody accepts from any more.
        await Eventually.TrueAsync(async () =>
        {
            using var late = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await late.ConnectAsync(IPAddress.Loopback, listener.Port);
                return false;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                return true;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                // Taken into the backlog just before the port closed, and reset with it.
                return false;
            }
        }, "the port refusing connections", TimeSpan.FromSeconds(5));
        listener.Stop();
    }

    [Test]
    public async Task ABoundListenerHoldsClientsInTheBacklogUntilItStartsAccepting()
    {
        var accepted = 0;
        var listener = ConnectionListener.Bind("test", new HostPort("127.0.0.1", 0), NullLogger.Instance, socket =>
        {
            Interlocked.Increment(ref accepted);
            socket.Dispose();
            return Task.CompletedTask;
        }, CancellationToken.None);
        try
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            // The kernel completes the handshake from the backlog; nothing is handed over yet.
            await client.ConnectAsync(IPAddress.Loopback, listener.Port);
            Assert.That(Volatile.Read(ref accepted), Is.Zero, "no accept loop before StartAccepting");
            listener.StartAccepting();
            await Eventually.TrueAsync(() => Volatile.Read(ref accepted) == 1, "the waiting client handed over");
            Assert.Throws<InvalidOperationException>(listener.StartAccepting);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Test]
    public void ABusyPortIsAConfigurationErrorNamingTheListener()
    {
        var first = ConnectionListener.Start("first", new HostPort("127.0.0.1", 0), NullLogger.Instance, _ => Task.CompletedTask, CancellationToken.None);
        try
        {
            var error = Assert.Throws<Nats.Core.Config.ConfigurationException>(() =>
                ConnectionListener.Start("second", new HostPort("127.0.0.1", first.Port), NullLogger.Instance, _ => Task.CompletedTask, CancellationToken.None));
            Assert.That(error!.Message, Does.Contain("could not listen for second connections on 127.0.0.1:" + first.Port));
        }
        finally
        {
            first.Stop();
        }
    }
}
