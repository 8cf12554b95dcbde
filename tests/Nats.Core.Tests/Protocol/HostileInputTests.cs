using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Nats.Core.Config;
using Nats.TestSupport;

namespace Nats.Core.Tests.Protocol;

/// <summary>
/// Malformed and malicious input: each is answered the way nats-server answers it (the -ERR
/// text, or a silent close), and the server keeps serving everyone else afterwards.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class HostileInputTests : ServerFixture
{
    private const string Connect = "CONNECT {\"verbose\":false}\r\n";

    protected override void Configure(ServerOptions options) => options.MaxPayload = 1024;

    /// <summary>Runs before the base fixture stops the server.</summary>
    [TearDown]
    public async Task AssertStillHealthy()
    {
        // Whatever the attack was, the server still works for a well-behaved client.
        await Server.AssertHealthyAsync();
    }

    [TestCase("FOO bar\r\n")]
    [TestCase("\r\n")]
    [TestCase(" PING\r\n")]
    [TestCase("PUBX foo 1\r\n")]
    [TestCase("SUBfoo 1\r\n")]
    [TestCase("UNSUB\r\n")]
    [TestCase("HELLO\r\n")]
    [TestCase("\u0000\u0001\u0002")]
    public async Task UnknownOperationIsAnErrorAndCloses(string input)
    {
        await using var client = await Server.ConnectRawAsync();
        await client.SendAsync(Connect + input);
        await client.ExpectErrAndCloseAsync("Unknown Protocol Operation");
    }

    [Test]
    public async Task OperationsBeforeTheBadOneAreExecuted()
    {
        await using var client = await Server.ConnectRawAsync();
        await client.SendAsync(Connect + "SUB foo 1\r\nPUB foo 2\r\nhi\r\nBOGUS\r\n");
        Assert.That(await client.ReadUntilClosedAsync(), Is.EqualTo("MSG foo 1 2\r\nhi\r\n-ERR 'Unknown Protocol Operation'\r\n"));
    }

    [TestCase("PUB foo 2\r\nhiXX\r\n")]
    [TestCase("PUB foo 2\r\nhi\n")]
    [TestCase("PUB foo 2\r\nhi\rX")]
    [TestCase("PUB foo 2\nhi\nPING\n")]
    public async Task BadPayloadTerminatorIsAnUnknownOperation(string input)
    {
        await using var client = await Server.ConnectRawAsync();
        await client.SendAsync(Connect + input);
        await client.ExpectErrAndCloseAsync("Unknown Protocol Operation");
    }

    [Test]
    public async Task OversizedPayloadIsRefusedBeforeItArrives()
    {
        await using var client = await Server.ConnectRawAsync();
        Assert.That(client.Info.GetProperty("max_payload").GetInt32(), Is.EqualTo(1024));
        await client.SendAsync(Connect + "PUB foo 1025\r\n");
        await client.ExpectErrAndCloseAsync("Maximum Payload Violation");
    }

    [Test]
    public async Task OversizedHeaderPublishIsRefused()
    {
        await using var client = await Server.ConnectRawAsync();
        await client.SendAsync("CONNECT {\"verbose\":false,\"headers\":true}\r\nHPUB foo 12 2000\r\n");
        await client.ExpectErrAndCloseAsync("Maximum Payload Violation");
    }

    [Test]
    public async Task PayloadOfExactlyMaxPayloadIsAccepted()
    {
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("SUB foo 1\r\n" + Wire.Pub("foo", new string('x', 1024)));
        var frame = await client.ReadMessageAsync();
        Assert.That(frame.Payload, Has.Length.EqualTo(1024));
    }

    [Test]
    public async Task ControlLineOverTheLimitWithNewline()
    {
        await using var client = await Server.ConnectRawAsync();
        await client.SendAsync(Connect + "SUB " + new string('a', 5000) + " 1\r\n");
        await client.ExpectErrAndCloseAsync("maximum control line exceeded");
    }

    [Test]
    public async Task ControlLineOverTheLimitWithoutNewline()
    {
        await using var client = await Server.ConnectRawAsync();
        await client.SendAsync(Connect + "PUB " + new string('a', 5000));
        await client.ExpectErrAndCloseAsync("maximum control line exceeded");
    }

    [Test]
    public async Task ControlLineOverTheLimitArrivingSlowly()
    {
        await using var client = await Server.ConnectRawAsync();
        await client.SendAsync(Connect + "SUB ");
        var chunk = new string('a', 100);
        var sent = 0;
        try
        {
            while (!client.IsClosedByServer && sent < 10_000)
            {
                await client.SendAsync(chunk);
                sent += chunk.Length;
            }
        }
        catch (SocketException)
        {
            // The server closed while we were still sending.
        }
        await client.ExpectErrAndCloseAsync("maximum control line exceeded");
    }

    [Test]
    public async Task ControlLineAtTheConfiguredLimitIsAccepted()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxControlLine = 64);
        await using var client = await server.ConnectAsync();
        var subject = new string('s', 60);
        await client.SendAsync($"SUB {subject} 1\r\n"); // 63 bytes of arguments
        await client.PingAsync();
        await client.SendAsync($"SUB {subject}xxxxxxxxxxx 2\r\n");
        await client.ExpectErrAndCloseAsync("maximum control line exceeded");
    }

    [TestCase("PUB foo -2\r\nhi\r\n")]
    [TestCase("PUB foo abc\r\nhi\r\n")]
    [TestCase("PUB foo\r\n")]
    [TestCase("PUB foo bar baz 1\r\nx\r\n")]
    [TestCase("PUB foo 9999999999\r\n")]
    [TestCase("SUB foo\r\n")]
    [TestCase("SUB foo bar baz qux\r\n")]
    [TestCase("UNSUB 1 2 3\r\n")]
    [TestCase("HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n")]
    public async Task MalformedArgumentsCloseWithoutAnError(string input)
    {
        await using var client = await Server.ConnectRawAsync();
        await client.SendAsync(Connect + input);
        await client.ExpectCloseWithoutErrorAsync();
    }

    [TestCase("HPUB foo 12 11\r\nNATS/1.0\r\n\r\nhi\r\n")]
    [TestCase("HPUB foo -1 2\r\nhi\r\n")]
    [TestCase("HPUB foo 2\r\nhi\r\n")]
    public async Task MalformedHeaderPublishClosesWithoutAnError(string input)
    {
        await using var client = await Server.ConnectRawAsync();
        await client.SendAsync("CONNECT {\"verbose\":false,\"headers\":true}\r\n" + input);
        await client.ExpectCloseWithoutErrorAsync();
    }

    [Test]
    public async Task HeaderPublishWhenTheServerDisablesHeadersCloses()
    {
        await using var server = await TestServer.StartAsync(o => o.NoHeaderSupport = true);
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync("CONNECT {\"verbose\":false,\"headers\":true}\r\nHPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n");
        await client.ExpectCloseWithoutErrorAsync();
    }

    [TestCase(1)]
    [TestCase(2)]
    public async Task HugeRandomGarbageIsCutOffQuickly(int seed)
    {
        var garbage = new byte[4 * 1024 * 1024];
        new Random(seed).NextBytes(garbage);
        await using var client = await Server.ConnectRawAsync();
        var stopwatch = Stopwatch.StartNew();
        var sending = SendIgnoringCloseAsync(client, garbage);
        var rest = await client.ReadUntilClosedAsync();
        await sending;
        // Random bytes are either an unknown operation at once, or start a plausible one whose
        // control line never ends: both are refused with an -ERR (unless a reset ate it).
        Assert.That(rest, Is.Empty.Or.EqualTo("-ERR 'Unknown Protocol Operation'\r\n").Or.EqualTo("-ERR 'maximum control line exceeded'\r\n"));
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)));
    }

    [Test]
    public async Task EndlessControlLineIsCutOffAtTheLimit()
    {
        var garbage = Encoding.ASCII.GetBytes("PUB " + new string('x', 2 * 1024 * 1024));
        await using var client = await Server.ConnectRawAsync();
        var sending = SendIgnoringCloseAsync(client, garbage);
        var rest = await client.ReadUntilClosedAsync();
        await sending;
        Assert.That(rest, Is.Empty.Or.EqualTo("-ERR 'maximum control line exceeded'\r\n"));
    }

    [Test]
    public async Task ManyAttackersAtOnceDoNotDisturbAHealthyClient()
    {
        await using var healthy = await Server.ConnectAsync();
        await healthy.SendAsync("SUB steady 1\r\n");
        await healthy.PingAsync();
        var attacks = Enumerable.Range(0, 20).Select(async i =>
        {
            await using var attacker = await Server.ConnectRawAsync();
            var input = (i % 4) switch
            {
                0 => "BOGUS\r\n",
                1 => Connect + "PUB foo 99999\r\n",
                2 => Connect + "SUB " + new string('a', 8000),
                _ => Connect + "PUB foo 2\r\nhiXX\r\n",
            };
            await SendIgnoringCloseAsync(attacker, Encoding.ASCII.GetBytes(input));
            await attacker.ReadUntilClosedAsync();
        }).ToList();
        for (var i = 0; i < 20; i++)
        {
            await healthy.SendAsync(Wire.Pub("steady", i.ToString()));
            await healthy.ExpectMsgAsync("steady", "1", i.ToString());
        }
        await Task.WhenAll(attacks);
    }

    [Test]
    public async Task AStalledPartialFrameDoesNotBlockOthers()
    {
        await using var stalled = await Server.ConnectAsync();
        await stalled.SendAsync("PUB foo 100\r\nonly part of the payload");
        await Server.AssertHealthyAsync();
        // Completing the frame later still works.
        await stalled.SendAsync(new string('.', 100 - "only part of the payload".Length) + "\r\n");
        await stalled.PingAsync();
    }

    private static async Task SendIgnoringCloseAsync(RawClient client, byte[] bytes)
    {
        try
        {
            for (var offset = 0; offset < bytes.Length; offset += 64 * 1024)
            {
                await client.SendAsync(bytes.AsMemory(offset, Math.Min(64 * 1024, bytes.Length - offset)));
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The server hung up on us: that is the expected outcome.
        }
    }
}
