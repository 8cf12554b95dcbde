using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>
/// <c>-V</c> on a leaf node link: its protocol lines traced as nats-server 2.9.10 traces them
/// (<c>127.0.0.1:7422 - lid:4 - -&gt;&gt; [LS+ bar]</c>, <c>&lt;&lt;- [LMSG bar 5]</c>,
/// <c>&lt;&lt;- MSG_PAYLOAD: ["hello"]</c>): interest, a message and keep-alive both ways, the
/// hub's received CONNECT with its password redacted, and no INFO nor outbound CONNECT.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class TraceTests
{
    // "[Trace] " (the level ListLoggerProvider.Texts starts with) and the leaf connection's prefix, with the peer's name once known.
    private const string Link = @"^\[Trace\] 127\.0\.0\.1:\d+ - lid:\d+( - ""[^""]+"")? - ";

    [Test]
    public async Task Interest_messages_and_keep_alive_on_a_leaf_link_are_traced_both_ways()
    {
        var port = FreePorts.Take();
        using var hubLog = new ListLoggerProvider(LogLevel.Trace);
        using var leafLog = new ListLoggerProvider(LogLevel.Trace);
        const string Traced = "trace: true\nping_interval: \"200ms\"\n";
        await using var hub = await OurServer.StartAsync(Traced + $"leafnodes {{ listen: \"127.0.0.1:{port}\", authorization {{ user: leaf, password: s3cret }} }}", hubLog);
        await using var leaf = await OurServer.StartAsync(Traced + $"leafnodes {{ remotes: [ {{ url: \"nats-leaf://leaf:s3cret@127.0.0.1:{port}\" }} ] }}", leafLog);
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");

        await using var subscriber = await ClientAsync(leaf);
        await Leaf.SubAsync(subscriber, "bar", "1");
        await TraceAsync(leafLog, Link + @"->> \[LS\+ bar\]$");
        await TraceAsync(hubLog, Link + @"<<- \[LS\+ bar\]$");

        await using var publisher = await ClientAsync(hub);
        await Leaf.PubAsync(publisher, "bar", "hello");
        await subscriber.ExpectMsgAsync("bar", "1", "hello");
        await TraceAsync(hubLog, Link + @"->> \[LMSG bar 5\]$");
        var received = await TraceAsync(leafLog, Link + @"<<- \[LMSG bar 5\]$");
        var lines = TraceLines(leafLog);
        Assert.That(lines[lines.IndexOf(received) + 1], Does.Match(Link + @"<<- MSG_PAYLOAD: \[""hello""\]$"), "the payload right after its LMSG line");

        await subscriber.SendAsync("UNSUB 1\r\n");
        await TraceAsync(leafLog, Link + @"->> \[LS- bar\]$");
        await TraceAsync(hubLog, Link + @"<<- \[LS- bar\]$");

        await TraceAsync(leafLog, Link + @"->> \[PING\]$");
        await TraceAsync(leafLog, Link + @"<<- \[PONG\]$");
        await TraceAsync(hubLog, Link + @"<<- \[PING\]$");
        await TraceAsync(hubLog, Link + @"->> \[PONG\]$");
        var all = TraceLines(hubLog).Concat(TraceLines(leafLog)).ToList();
        var connect = all.Single(l => l.Contains("[CONNECT", StringComparison.Ordinal));
        Assert.That(connect, Does.Match(Link + @"<<- \[CONNECT \{.*""pass"":""\[REDACTED\]"".*\}\]$"), "the hub traces the leaf's CONNECT, without the password");
        Assert.That(all, Has.None.Contains("s3cret"));
        Assert.That(all, Has.None.Contains("[INFO"), "nats-server does not trace a leaf's INFO");
    }

    /// <summary>A client that answers the server's PINGs (ping_interval is short here).</summary>
    private static async Task<RawClient> ClientAsync(OurServer server)
    {
        var client = await RawClient.ConnectAsync(server.Port);
        client.AnswerPings = true;
        await client.SendAsync("CONNECT " + RawClient.QuietConnect + "\r\n");
        await client.PingAsync();
        return client;
    }

    /// <summary>The leaf links' trace lines so far, in order.</summary>
    private static List<string> TraceLines(ListLoggerProvider log) =>
        [.. log.Texts.Where(l => l.StartsWith("[Trace]", StringComparison.Ordinal) && l.Contains(" - lid:", StringComparison.Ordinal))];

    private static async Task<string> TraceAsync(ListLoggerProvider log, string pattern)
    {
        await Eventually.TrueAsync(() => TraceLines(log).Any(l => Regex.IsMatch(l, pattern)), $"a trace line like {pattern}", TimeSpan.FromSeconds(10));
        return TraceLines(log).First(l => Regex.IsMatch(l, pattern));
    }
}
