using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Nats.TestSupport;

namespace Nats.Gateway.Tests;

/// <summary>
/// <c>-V</c> on a gateway: its protocol lines traced as nats-server 2.9.10 traces them
/// (<c>127.0.0.1:7222 - gid:4 - -&gt;&gt; [RMSG $G foo 5]</c>, <c>&lt;&lt;- MSG_PAYLOAD: ["hello"]</c>,
/// <c>&lt;&lt;- [RS- $G foo]</c>): interest, a message and keep-alive both ways,
/// the inbound side's CONNECT, and no INFO nor outbound CONNECT.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class TraceTests
{
    // The connection prefix of a gateway, with the remote gateway's name once known.
    private const string Gateway = @"^127\.0\.0\.1:\d+ - gid:\d+( - ""[^""]+"")? - ";

    private const string Traced = "trace: true\nping_interval: \"200ms\"";

    [Test]
    public async Task Messages_interest_and_keep_alive_on_a_gateway_are_traced_both_ways()
    {
        await using var pair = await GatewayPair.StartAsync(Traced, LogLevel.Trace);
        var (a, b) = (pair.A, pair.B);

        // Interest-only from the start (as nats-server 2.9 switches $G at once): RS+ and RS- both ways.
        await using var subscriber = await RawClient.ConnectAndHandshakeAsync(b.Server.Port);
        await subscriber.SendAsync("SUB foo 1\r\nPING\r\n");
        await subscriber.ExpectLineAsync("PONG");
        await TraceAsync(b.Logs, Gateway + @"->> \[RS\+ \$G foo\]$");
        await TraceAsync(a.Logs, Gateway + @"<<- \[RS\+ \$G foo\]$");
        await using var publisher = await RawClient.ConnectAndHandshakeAsync(a.Server.Port);
        await publisher.SendAsync("PUB foo 5\r\nhello\r\n");
        await subscriber.ExpectMsgAsync("foo", "1", "hello");
        await TraceAsync(a.Logs, Gateway + @"->> \[RMSG \$G foo 5\]$");
        var received = await TraceAsync(b.Logs, Gateway + @"<<- \[RMSG \$G foo 5\]$");
        var lines = TraceLines(b.Logs);
        Assert.That(lines[lines.IndexOf(received) + 1], Does.Match(Gateway + @"<<- MSG_PAYLOAD: \[""hello""\]$"), "the payload right after its RMSG line");
        await subscriber.SendAsync("UNSUB 1\r\n");
        await TraceAsync(b.Logs, Gateway + @"->> \[RS- \$G foo\]$");
        await TraceAsync(a.Logs, Gateway + @"<<- \[RS- \$G foo\]$");

        await TraceAsync(a.Logs, Gateway + @"->> \[PING\]$");
        await TraceAsync(a.Logs, Gateway + @"<<- \[PONG\]$");
        await TraceAsync(b.Logs, Gateway + @"<<- \[PING\]$");
        await TraceAsync(b.Logs, Gateway + @"->> \[PONG\]$");
        var all = TraceLines(a.Logs).Concat(TraceLines(b.Logs)).ToList();
        var connects = all.Where(l => l.Contains("[CONNECT", StringComparison.Ordinal)).ToList();
        Assert.That(connects, Has.Count.EqualTo(2), "each side traces the CONNECT of its inbound gateway");
        Assert.That(connects, Has.All.Match(Gateway + @"<<- \[CONNECT \{.*""gateway"":""[AB]"".*\}\]$"));
        Assert.That(all, Has.None.Contains("[INFO"), "nats-server does not trace a gateway's INFO");
    }

    /// <summary>The gateways' trace lines so far, in order.</summary>
    private static List<string> TraceLines(ListLoggerProvider log) =>
        [.. log.Lines.Where(l => l.Level == LogLevel.Trace && l.Message.Contains(" - gid:", StringComparison.Ordinal)).Select(l => l.Message)];

    private static async Task<string> TraceAsync(ListLoggerProvider log, string pattern)
    {
        await Eventually.TrueAsync(() => TraceLines(log).Any(l => Regex.IsMatch(l, pattern)), $"a trace line like {pattern}", TimeSpan.FromSeconds(10));
        return TraceLines(log).First(l => Regex.IsMatch(l, pattern));
    }
}
