using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Nats.Core.Protocol;
using Nats.TestSupport;

namespace Nats.Core.Tests.Logging;

/// <summary>
/// <c>-DV</c>: every protocol line of a client traced as nats-server traces it
/// (<c>&lt;&lt;- [PUB foo 5]</c>, <c>&lt;&lt;- MSG_PAYLOAD: ["hello"]</c>, <c>-&gt;&gt; [MSG foo 1 5]</c>,
/// <c>&lt;-&gt; [DELSUB 1]</c>), payloads cut at <c>max_traced_msg_len</c>, no password in the
/// trace; the same exchange against nats-server 2.9.10 gives the same lines.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class ProtocolTraceTests
{
    private const string Connect = """CONNECT {"verbose":true,"pedantic":false,"name":"demo","lang":"raw","version":"1.0","headers":true}""" + "\r\n";

    /// <summary>
    /// The exchange: subscriptions (one queue), PUB with and without reply, HPUB, an empty
    /// payload, binary bytes, PING, UNSUB, then garbage that closes the connection.
    /// </summary>
    private static readonly string[] Steps =
    [
        Connect + "SUB foo 1\r\nsub bar q 2\r\nPUB foo 5\r\nhello\r\nHPUB foo 18 23\r\nNATS/1.0\r\nA: b\r\n\r\nhello\r\nPUB foo reply 2\r\nhi\r\nPING\r\n",
        "UNSUB 1\r\nPUB foo 0\r\n\r\nSUB foo 3\r\npub  foo   3\r\n\u0001\u00ff\n\r\nPING\r\n",
        "GARBAGE\r\n",
    ];

    [Test]
    public async Task A_client_exchange_is_traced_line_by_line_as_nats_server_traces_it()
    {
        var (lines, _) = await RunOursAsync(maxTraced: 0);
        Assert.That(lines, Is.EqualTo(new[]
        {
            "<<- [CONNECT {\"verbose\":true,\"pedantic\":false,\"name\":\"demo\",\"lang\":\"raw\",\"version\":\"1.0\",\"headers\":true}]",
            "\"v1.0:raw:demo\" - ->> [OK]",
            "\"v1.0:raw:demo\" - <<- [SUB foo 1]",
            "\"v1.0:raw:demo\" - ->> [OK]",
            "\"v1.0:raw:demo\" - <<- [SUB bar q 2]",
            "\"v1.0:raw:demo\" - ->> [OK]",
            "\"v1.0:raw:demo\" - <<- [PUB foo 5]",
            "\"v1.0:raw:demo\" - <<- MSG_PAYLOAD: [\"hello\"]",
            "\"v1.0:raw:demo\" - ->> [OK]",
            "\"v1.0:raw:demo\" - ->> [MSG foo 1 5]",
            "\"v1.0:raw:demo\" - <<- [HPUB foo 18 23]",
            "\"v1.0:raw:demo\" - <<- MSG_PAYLOAD: [\"NATS/1.0\\r\\nA: b\\r\\n\\r\\nhello\"]",
            "\"v1.0:raw:demo\" - ->> [OK]",
            "\"v1.0:raw:demo\" - ->> [HMSG foo 1 18 23]",
            "\"v1.0:raw:demo\" - <<- [PUB foo reply 2]",
            "\"v1.0:raw:demo\" - <<- MSG_PAYLOAD: [\"hi\"]",
            "\"v1.0:raw:demo\" - ->> [OK]",
            "\"v1.0:raw:demo\" - ->> [MSG foo 1 reply 2]",
            "\"v1.0:raw:demo\" - <<- [PING]",
            "\"v1.0:raw:demo\" - ->> [PONG]",
            "\"v1.0:raw:demo\" - <<- [UNSUB 1]",
            "\"v1.0:raw:demo\" - ->> [OK]",
            "\"v1.0:raw:demo\" - <-> [DELSUB 1]",
            "\"v1.0:raw:demo\" - <<- [PUB foo 0]",
            "\"v1.0:raw:demo\" - <<- MSG_PAYLOAD: [\"\"]",
            "\"v1.0:raw:demo\" - ->> [OK]",
            "\"v1.0:raw:demo\" - <<- [SUB foo 3]",
            "\"v1.0:raw:demo\" - ->> [OK]",
            "\"v1.0:raw:demo\" - <<- [PUB foo   3]",
            "\"v1.0:raw:demo\" - <<- MSG_PAYLOAD: [\"\\x01\\xff\\n\"]",
            "\"v1.0:raw:demo\" - ->> [OK]",
            "\"v1.0:raw:demo\" - ->> [MSG foo 3 3]",
            "\"v1.0:raw:demo\" - <<- [PING]",
            "\"v1.0:raw:demo\" - ->> [PONG]",
            "\"v1.0:raw:demo\" - ->> [-ERR Unknown Protocol Operation]",
            "\"v1.0:raw:demo\" - <-> [DELSUB 2]",
            "\"v1.0:raw:demo\" - <-> [DELSUB 3]",
        }));
    }

    [Test]
    public async Task The_same_exchange_against_nats_server_gives_the_same_trace()
    {
        ReferenceServer.RequireInstalled();
        var (ours, _) = await RunOursAsync(maxTraced: 4);
        var port = FreePorts.Take();
        await using var reference = await ReferenceServer.StartAsync($"port: {port}\ntrace: true\nmax_traced_msg_len: 4\n", port);
        await RunExchangeAsync(port);
        await Eventually.TrueAsync(() => Regex.Matches(reference.Output, "DELSUB").Count == 3, "nats-server's trace of the close", TimeSpan.FromSeconds(10));
        var theirs = Normalize(reference.Output.Split('\n')
            .Where(l => l.Contains("[TRC]") && l.Contains(" - cid:"))
            .Select(l => l.TrimEnd('\r')));

        Assert.That(ours, Is.EqualTo(theirs));
        Assert.That(ours, Does.Contain("\"v1.0:raw:demo\" - <<- MSG_PAYLOAD: [\"hell...\"]"), "cut at max_traced_msg_len");
    }

    /// <summary>nats-server 2.10's parser traces a mapped publish between its PUB line and its payload.</summary>
    [Test]
    public async Task A_mapped_publish_is_traced_with_a_mapping_line_before_its_payload()
    {
        var log = new ListLoggerProvider();
        using var factory = log.CreateFactory(LogLevel.Trace);
        await using var server = await TestServer.StartAsync(o =>
        {
            o.Logging.Trace = true;
            o.Auth.Mappings = [new Nats.Core.Config.MappingConfig { Source = "in.*", Destinations = [new Nats.Core.Config.MappingDestinationConfig { Subject = "mapped.$1" }] }];
        }, factory);
        await using var client = await server.ConnectAsync();
        await client.SendAsync("SUB mapped.> 1\r\nPUB in.x 2\r\nhi\r\nPUB other 2\r\nno\r\n");
        await client.ExpectMsgAsync("mapped.x", "1", "hi");
        await Eventually.TrueAsync(() => log.Lines.Any(l => l.Message.Contains("MSG_PAYLOAD: [\"no\"]")), "the second publish traced", TimeSpan.FromSeconds(10));
        var lines = Normalize(log.Lines.Where(l => l.Level == LogLevel.Trace && l.Message.Contains(" - cid:")).Select(l => l.Message));
        var publish = Array.FindIndex(lines, l => l.EndsWith("<<- [PUB in.x 2]", StringComparison.Ordinal));
        Assert.That(publish, Is.GreaterThanOrEqualTo(0), string.Join("\n", lines));
        Assert.That(lines[publish + 1], Does.EndWith("<<- [MAPPING in.x -> mapped.x]"));
        Assert.That(lines[publish + 2], Does.EndWith("<<- MSG_PAYLOAD: [\"hi\"]"));
        var unmapped = Array.FindIndex(lines, l => l.EndsWith("<<- [PUB other 2]", StringComparison.Ordinal));
        Assert.That(lines[unmapped + 1], Does.EndWith("<<- MSG_PAYLOAD: [\"no\"]"), "no MAPPING line when nothing was mapped");
    }

    [Test]
    public async Task Payloads_are_cut_at_max_traced_msg_len()
    {
        var (lines, _) = await RunOursAsync(maxTraced: 3);
        Assert.That(lines, Does.Contain("\"v1.0:raw:demo\" - <<- MSG_PAYLOAD: [\"hel...\"]"));
        Assert.That(lines, Does.Contain("\"v1.0:raw:demo\" - <<- MSG_PAYLOAD: [\"NAT...\"]"));
        Assert.That(lines, Does.Contain("\"v1.0:raw:demo\" - <<- MSG_PAYLOAD: [\"hi\"]"), "shorter payloads whole");
    }

    [Test]
    public async Task Passwords_and_tokens_never_reach_the_trace()
    {
        var log = new ListLoggerProvider();
        using var factory = log.CreateFactory(LogLevel.Trace);
        await using var server = await TestServer.StartAsync(o => o.Logging.Trace = true, factory);
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync("""CONNECT {"verbose":false,"user":"bob","pass":"p\"w-secret","auth_token":"tok-secret"}""" + "\r\nPING\r\n");
        await client.ExpectLineAsync("PONG");

        var connect = log.Lines.First(l => l.Message.Contains("<<- [CONNECT")).Message;
        Assert.That(connect, Does.EndWith("""<<- [CONNECT {"verbose":false,"user":"bob","pass":"[REDACTED]","auth_token":"[REDACTED]"}]"""));
        Assert.That(log.Lines.Any(l => l.Message.Contains("secret")), Is.False);
    }

    [Test]
    public async Task Without_trace_nothing_is_traced()
    {
        var log = new ListLoggerProvider();
        using var factory = log.CreateFactory(LogLevel.Trace);
        await using var server = await TestServer.StartAsync(logs: factory);
        await using var client = await server.ConnectAsync();
        await client.SendAsync("SUB foo 1\r\nPUB foo 2\r\nhi\r\n");
        await client.ExpectMsgAsync("foo", "1", "hi");
        Assert.That(log.Lines.Where(l => l.Level == LogLevel.Trace), Is.Empty);
    }

    [TestCase("hello", 0, "\"hello\"")]
    [TestCase("hello", 5, "\"hello\"")]
    [TestCase("hello", 2, "\"he...\"")]
    [TestCase("\r\nab", 3, "\"\\r\\...\"")]
    public void Payload_text_follows_traceMsg(string payload, int max, string expected) =>
        Assert.That(ProtocolTrace.Payload(Encoding.UTF8.GetBytes(payload), max), Is.EqualTo(expected));

    /// <summary>Runs the exchange against an in-process server with -V; its client's trace lines, normalized.</summary>
    private static async Task<(string[] Lines, ListLoggerProvider Log)> RunOursAsync(int maxTraced)
    {
        var log = new ListLoggerProvider();
        using var factory = log.CreateFactory(LogLevel.Trace);
        await using var server = await TestServer.StartAsync(o =>
        {
            o.Logging.Trace = true;
            o.Logging.MaxTracedMessageLength = maxTraced;
        }, factory);
        await RunExchangeAsync(server.Port);
        await Eventually.TrueAsync(() => log.Lines.Count(l => l.Message.Contains("DELSUB")) == 3, "the trace of the close", TimeSpan.FromSeconds(10));
        var lines = Normalize(log.Lines.Where(l => l.Level == LogLevel.Trace && l.Message.Contains(" - cid:")).Select(l => l.Message));
        return (lines, log);
    }

    private static async Task RunExchangeAsync(int port)
    {
        await using var client = await RawClient.ConnectAsync(port);
        // Each step ends with PING (or the close), so the server has handled all of it before the next.
        await client.SendAsync(Latin1(Steps[0]));
        await client.ExpectLineAsync("+OK");
        await ReadUntilAsync(client, "PONG");
        await client.SendAsync(Latin1(Steps[1]));
        await ReadUntilAsync(client, "PONG");
        await client.SendAsync(Latin1(Steps[2]));
        await client.ReadUntilClosedAsync();
    }

    private static async Task ReadUntilAsync(RawClient client, string line)
    {
        while (await client.ReadLineAsync() != line)
        {
        }
    }

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    /// <summary>
    /// Drops what differs between runs and servers (pid, time, port, cid) and sorts the
    /// DELSUB lines of the close, which nats-server emits in map order.
    /// </summary>
    private static string[] Normalize(IEnumerable<string> lines)
    {
        var normalized = lines.Select(l => Regex.Replace(l, @"^.*?127\.0\.0\.1:\d+ - cid:\d+ - ", "")).ToList();
        var tail = normalized.Count;
        while (tail > 0 && normalized[tail - 1].Contains("<-> [DELSUB", StringComparison.Ordinal))
        {
            tail--;
        }
        return [.. normalized.Take(tail), .. normalized.Skip(tail).Order(StringComparer.Ordinal)];
    }
}
