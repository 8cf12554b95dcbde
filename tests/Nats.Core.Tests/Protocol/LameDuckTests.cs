using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Nats.TestSupport;

namespace Nats.Core.Tests.Protocol;

/// <summary>Lame duck mode: refuse new clients, tell connected ones, close them, shut down.</summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class LameDuckTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Duration = TimeSpan.FromMilliseconds(600);

    private static Task<TestServer> StartAsync() => TestServer.StartAsync(o =>
    {
        o.LameDuckGracePeriod = Grace;
        o.LameDuckDuration = Duration;
    });

    [Test]
    public async Task ClientsAreToldThenClosedThenTheServerShutsDown()
    {
        await using var server = await StartAsync();
        var clients = new List<RawClient>();
        for (var i = 0; i < 3; i++)
        {
            clients.Add(await server.ConnectAsync()); // protocol 1: understands async INFO
        }

        var stopwatch = Stopwatch.StartNew();
        var lameDuck = server.Server.EnterLameDuckModeAsync();
        Assert.That(server.Server.IsLameDuck, Is.True);

        foreach (var client in clients)
        {
            var line = await client.ReadLineAsync();
            Assert.That(line, Does.StartWith("INFO {").And.EndWith("} "));
            var info = System.Text.Json.JsonDocument.Parse(line["INFO ".Length..]).RootElement;
            Assert.That(info.GetProperty("ldm").GetBoolean(), Is.True);
            Assert.That(info.GetProperty("server_id").GetString(), Is.EqualTo(server.Server.ServerId));
        }
        foreach (var client in clients)
        {
            Assert.That(await client.ReadUntilClosedAsync(), Is.Empty, "closed without anything more");
        }
        var closedAfter = stopwatch.Elapsed;

        await lameDuck.WaitAsync(TimeSpan.FromSeconds(5));
        await server.Server.WaitForShutdownAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Multiple(() =>
        {
            Assert.That(closedAfter, Is.GreaterThanOrEqualTo(Grace - TimeSpan.FromMilliseconds(20)), "clients get the grace period first");
            Assert.That(closedAfter, Is.LessThan(TimeSpan.FromSeconds(9)), "not nats-server's default grace period (10 s)");
            Assert.That(server.Server.IsRunning, Is.False);
        });
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Test]
    public async Task NewConnectionsAreRefused()
    {
        await using var server = await StartAsync();
        await using var client = await server.ConnectAsync(); // keeps the server in lame duck for a while
        var port = server.Port;
        var lameDuck = server.Server.EnterLameDuckModeAsync();
        await client.ReadLineAsync(); // the ldm INFO: lame duck has begun

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Assert.That(async () =>
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        }, Throws.InstanceOf<SocketException>(), "the listener is closed");
        await lameDuck.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Test]
    public async Task ClientsWithoutAsyncInfoAreClosedWithoutAnInfo()
    {
        await using var server = await StartAsync();
        await using var client = await server.ConnectAsync("{\"verbose\":false,\"protocol\":0}");
        var lameDuck = server.Server.EnterLameDuckModeAsync();
        Assert.That(await client.ReadUntilClosedAsync(), Is.Empty);
        await lameDuck.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Test]
    public async Task WithoutClientsTheServerShutsDownAtOnce()
    {
        await using var server = await StartAsync();
        // Within 9 s: not after nats-server's default grace period (10 s).
        await server.Server.EnterLameDuckModeAsync().WaitAsync(TimeSpan.FromSeconds(9));
        Assert.That(server.Server.IsRunning, Is.False);
    }

    [Test]
    public async Task ConnectedClientsKeepWorkingDuringTheGracePeriod()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.LameDuckGracePeriod = TimeSpan.FromSeconds(2);
            o.LameDuckDuration = TimeSpan.FromSeconds(3);
        });
        await using var client = await server.ConnectAsync();
        var lameDuck = server.Server.EnterLameDuckModeAsync();
        await client.ReadLineAsync(); // ldm INFO
        await client.SendAsync("SUB foo 1\r\n" + Wire.Pub("foo", "still here"));
        await client.ExpectMsgAsync("foo", "1", "still here");
        await server.Server.ShutdownAsync();
        await lameDuck.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
