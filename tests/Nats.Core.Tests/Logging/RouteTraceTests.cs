using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Nats.Core.Config;
using Nats.TestSupport;

namespace Nats.Core.Tests.Logging;

/// <summary>
/// <c>-V</c> on a route: its protocol lines traced as nats-server 2.9.10 traces them
/// (<c>127.0.0.1:6222 - rid:4 - &lt;&lt;- [RS+ $G foo]</c>, <c>-&gt;&gt; [RMSG $G foo 5]</c>,
/// <c>&lt;&lt;- MSG_PAYLOAD: ["hello"]</c>): interest, a message and keep-alive both ways, the
/// accepted side's CONNECT, and no INFO nor outbound CONNECT (nats-server traces neither).
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class RouteTraceTests
{
    // The connection prefix of a route, with the peer's name once known: "127.0.0.1:5 - rid:4 - "B" - ".
    private const string Route = @"^127\.0\.0\.1:\d+ - rid:\d+( - ""[^""]+"")? - ";

    // Protocol 0: no asynchronous INFO when the cluster's client URLs change.
    private const string NoAsyncInfo = """{"verbose":false,"pedantic":false}""";

    [Test]
    public async Task Interest_messages_and_keep_alive_on_a_route_are_traced_both_ways()
    {
        var aLog = new ListLoggerProvider();
        using var aFactory = aLog.CreateFactory(LogLevel.Trace);
        var bLog = new ListLoggerProvider();
        using var bFactory = bLog.CreateFactory(LogLevel.Trace);
        await using var a = await TestServer.StartAsync(o => Clustered(o, "A", seed: null), aFactory);
        await using var b = await TestServer.StartAsync(o => Clustered(o, "B", seed: a), bFactory);

        await using var subscriber = await ClientAsync(b);
        await subscriber.SendAsync("SUB foo 1\r\nPING\r\n");
        await subscriber.ExpectLineAsync("PONG");
        await TraceAsync(aLog, Route + @"<<- \[RS\+ \$G foo\]$");
        await TraceAsync(bLog, Route + @"->> \[RS\+ \$G foo\]$");

        await using var publisher = await ClientAsync(a);
        await publisher.SendAsync("PUB foo 5\r\nhello\r\n");
        await subscriber.ExpectMsgAsync("foo", "1", "hello");
        await TraceAsync(aLog, Route + @"->> \[RMSG \$G foo 5\]$");
        var received = await TraceAsync(bLog, Route + @"<<- \[RMSG \$G foo 5\]$");
        var traced = Traced(bLog);
        Assert.That(traced[traced.IndexOf(received) + 1], Does.Match(Route + @"<<- MSG_PAYLOAD: \[""hello""\]$"), "the payload right after its RMSG line");

        await subscriber.SendAsync("UNSUB 1\r\n");
        await TraceAsync(bLog, Route + @"->> \[RS- \$G foo\]$");
        await TraceAsync(aLog, Route + @"<<- \[RS- \$G foo\]$");

        // The keep-alive (ping_interval 200 ms here) and the accepted side's CONNECT.
        await TraceAsync(aLog, Route + @"->> \[PING\]$");
        await TraceAsync(aLog, Route + @"<<- \[PONG\]$");
        await TraceAsync(bLog, Route + @"<<- \[PING\]$");
        await TraceAsync(bLog, Route + @"->> \[PONG\]$");
        var connects = Traced(aLog).Concat(Traced(bLog)).Where(l => l.Contains("[CONNECT", StringComparison.Ordinal)).ToList();
        Assert.That(connects, Is.Not.Empty);
        Assert.That(connects, Has.All.Match(Route + @"<<- \[CONNECT \{.*""cluster"":""c1"".*\}\]$"), "only received CONNECTs are traced");
        Assert.That(Traced(aLog).Concat(Traced(bLog)), Has.None.Contains("[INFO"), "nats-server does not trace a route's INFO");
    }

    [Test]
    public async Task Without_trace_a_route_traces_nothing()
    {
        var aLog = new ListLoggerProvider();
        using var aFactory = aLog.CreateFactory(LogLevel.Trace);
        await using var a = await TestServer.StartAsync(o => Clustered(o, "A", seed: null, trace: false), aFactory);
        await using var b = await TestServer.StartAsync(o => Clustered(o, "B", seed: a, trace: false));
        await using var subscriber = await ClientAsync(b);
        await subscriber.SendAsync("SUB foo 1\r\nPING\r\n");
        await subscriber.ExpectLineAsync("PONG");
        await using var publisher = await ClientAsync(a);
        await TestServer.WaitUntilAsync(() => a.Server.Accounts.Global.Sublist.HasInterest("foo"), "B's interest reaches A");
        await publisher.SendAsync("PUB foo 5\r\nhello\r\n");
        await subscriber.ExpectMsgAsync("foo", "1", "hello");
        Assert.That(aLog.Lines.Where(l => l.Level == LogLevel.Trace), Is.Empty);
    }

    private static void Clustered(ServerOptions options, string name, TestServer? seed, bool trace = true)
    {
        options.ServerName = name;
        options.Logging.Trace = trace;
        options.PingInterval = TimeSpan.FromMilliseconds(200);
        options.Cluster = TestCluster.Options("c1", seed is null ? [] : [seed.Server]);
    }

    /// <summary>A client that answers the server's PINGs (ping_interval is short here) and gets no asynchronous INFO.</summary>
    private static async Task<RawClient> ClientAsync(TestServer server)
    {
        var client = await server.ConnectRawAsync();
        client.AnswerPings = true;
        await client.SendAsync("CONNECT " + NoAsyncInfo + "\r\n");
        await client.PingAsync();
        return client;
    }

    /// <summary>The route's trace lines so far, in order.</summary>
    private static List<string> Traced(ListLoggerProvider log) =>
        [.. log.Lines.Where(l => l.Level == LogLevel.Trace && l.Message.Contains(" - rid:", StringComparison.Ordinal)).Select(l => l.Message)];

    /// <summary>Waits for a route trace line matching <paramref name="pattern"/> and returns it.</summary>
    private static async Task<string> TraceAsync(ListLoggerProvider log, string pattern)
    {
        await Eventually.TrueAsync(() => Traced(log).Any(l => Regex.IsMatch(l, pattern)), $"a trace line like {pattern}", TimeSpan.FromSeconds(10));
        return Traced(log).First(l => Regex.IsMatch(l, pattern));
    }
}
