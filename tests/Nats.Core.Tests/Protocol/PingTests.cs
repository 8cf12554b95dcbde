using System.Diagnostics;
using Nats.Core.Connections;
using Nats.TestSupport;

namespace Nats.Core.Tests.Protocol;

/// <summary>Server PINGs (ping_interval) and stale connections (ping_max).</summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class PingTests
{
    /// <summary>For the tests that wait for a stale close: short, so they end quickly.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// For the tests whose client must keep up (answer, or keep sending, within ping_max
    /// intervals): at 100 ms a loaded machine that stalls the test's thread for two of them
    /// cut the client as stale.
    /// </summary>
    private static readonly TimeSpan PatientInterval = TimeSpan.FromSeconds(1);

    [Test]
    public async Task UnresponsiveClientGetsMaxPingsThenStaleConnection()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.PingInterval = Interval;
            o.MaxPingsOut = 2;
        });
        await using var client = await server.ConnectAsync();
        var stopwatch = Stopwatch.StartNew();
        // Exactly what nats-server sends: ping_max PINGs, then the error, then the close.
        Assert.That(await client.ReadUntilClosedAsync(), Is.EqualTo("PING\r\nPING\r\n-ERR 'Stale Connection'\r\n"));
        Assert.That(stopwatch.Elapsed, Is.GreaterThanOrEqualTo(Interval * 2).And.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(server.Server.ClosedClients[^1].Info.Reason, Is.EqualTo(ClosedReason.StaleConnection.ToDisplayString()));
    }

    [Test]
    public async Task ClientAnsweringPingsStaysConnected()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.PingInterval = PatientInterval;
            o.MaxPingsOut = 2;
        });
        await using var client = await server.ConnectAsync();
        // Past the stale point (3 intervals) for a client that does not answer.
        for (var i = 0; i < 5; i++)
        {
            await client.ExpectLineAsync("PING");
            await client.SendAsync("PONG\r\n");
        }
        await client.PingAsync();
        Assert.That(server.Server.Clients, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task PingsAreSentBeforeConnectToo()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.PingInterval = Interval;
            o.MaxPingsOut = 1;
        });
        await using var client = await server.ConnectRawAsync();
        Assert.That(await client.ReadUntilClosedAsync(), Is.EqualTo("PING\r\n-ERR 'Stale Connection'\r\n"));
    }

    [Test]
    public async Task RttIsMeasuredFromThePong()
    {
        await using var server = await TestServer.StartAsync(o => o.PingInterval = PatientInterval);
        await using var client = await server.ConnectAsync();
        await client.ExpectLineAsync("PING");
        await Task.Delay(60); // a slow answer: the measured RTT must show it
        await client.SendAsync("PONG\r\n");
        await client.PingAsync();
        var connection = server.Server.Clients.Single();
        Assert.That(connection.Rtt, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(50)).And.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task ActiveClientThatNeverAnswersPingsIsNotStale()
    {
        // nats-server skips the PING while the client keeps sending (once it has an RTT), so a
        // publisher that never reads is not cut as stale. Checked against nats-server 2.9.10.
        await using var server = await TestServer.StartAsync(o =>
        {
            o.PingInterval = PatientInterval;
            o.MaxPingsOut = 2;
        });
        await using var client = await server.ConnectAsync();
        var stopwatch = Stopwatch.StartNew();
        // Past the stale point (3 intervals) for a client whose PINGs are not skipped.
        while (stopwatch.Elapsed < PatientInterval * 5)
        {
            await client.SendAsync(Wire.Pub("busy", "x"));
            await Task.Delay(10);
        }
        Assert.That(server.Server.Clients, Has.Count.EqualTo(1), "still connected");
        var received = await client.DrainAsync(TimeSpan.FromMilliseconds(20));
        Assert.That(received, Does.Not.Contain("Stale"));
    }

    [Test]
    public async Task FirstPingComesEarlyToMeasureRtt()
    {
        // nats-server: the first PING to a client comes after at most 2 s (+ up to 20%), not
        // after the 2-minute ping_interval, so the RTT is known early. The upper bound tells
        // 2 s from 2 minutes with room for a loaded machine's late timer.
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        client.Timeout = TimeSpan.FromSeconds(15);
        var stopwatch = Stopwatch.StartNew();
        await client.ExpectLineAsync("PING");
        Assert.That(stopwatch.Elapsed, Is.GreaterThan(TimeSpan.FromSeconds(1.5)).And.LessThan(TimeSpan.FromSeconds(10)));
        await client.SendAsync("PONG\r\n");
        await client.PingAsync();
    }

    [Test]
    public async Task InfoAlwaysComesBeforeTheFirstPing()
    {
        // The heartbeat sees a connection as soon as it is registered; with a tiny ping
        // interval it must still never PING ahead of the INFO.
        await using var server = await TestServer.StartAsync(o => o.PingInterval = TimeSpan.FromMilliseconds(10));
        for (var i = 0; i < 200; i++)
        {
            await using var client = await RawClient.ConnectAsync(server.Port); // asserts INFO first
        }
    }
}
