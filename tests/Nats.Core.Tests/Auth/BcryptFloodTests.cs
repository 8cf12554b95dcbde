using System.Diagnostics;
using Nats.Core.Config;
using Nats.Core.Security;
using Nats.TestSupport;
using static Nats.Core.Tests.Auth.AuthSupport;

namespace Nats.Core.Tests.Auth;

/// <summary>
/// A flood of logins with wrong bcrypt passwords must not stall connected clients: bcrypt runs
/// on a dedicated worker, off the I/O path.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class BcryptFloodTests
{
    private const int Attackers = 50;

    [Test]
    public async Task BadLoginFloodBarelyDelaysRequestReplyOfConnectedClients()
    {
        var hash = Bcrypt.Hash("right", 10);
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions
        {
            Users = [new UserConfig { Username = "alice", Password = hash }],
        });
        var login = Connect(new { user = "alice", pass = "right" });
        await using var responder = await server.ConnectAsync(login);
        responder.AnswerPings = true; // the test outlives the server's first (RTT) PING
        await responder.SendAsync("SUB svc 1\r\n");
        await responder.PingAsync();
        await using var requester = await server.ConnectAsync(login);
        requester.AnswerPings = true;
        await requester.SendAsync("SUB _INBOX.me 1\r\n");
        await requester.PingAsync();
        var responding = RespondUntilStoppedAsync(responder);

        for (var i = 0; i < 20; i++)
        {
            await RoundTripAsync(requester, "warm-up");
        }

        var floodTime = Stopwatch.StartNew();
        var flood = Task.WhenAll(Enumerable.Range(0, Attackers).Select(i => AttackAsync(server, $"wrong-{i}")));
        var latencies = new List<TimeSpan>();
        while (!flood.IsCompleted)
        {
            latencies.Add(await RoundTripAsync(requester, "during flood"));
            await Task.Delay(1); // a steady client, not a second CPU hog competing with bcrypt
        }
        await flood;
        floodTime.Stop();
        await requester.SendAsync("PUB svc _INBOX.me 4\r\nstop\r\n");
        await responding;

        latencies.Sort();
        var p99 = latencies[(int)Math.Ceiling(latencies.Count * 0.99) - 1];
        TestContext.Out.WriteLine($"flood {floodTime.Elapsed}, {latencies.Count} round trips, p50 {latencies[latencies.Count / 2]}, p99 {p99}");
        Assert.Multiple(() =>
        {
            // Fifty cost-10 verifications take seconds of CPU: the flood really loaded the server.
            Assert.That(floodTime.Elapsed, Is.GreaterThan(TimeSpan.FromMilliseconds(500)));
            Assert.That(latencies, Has.Count.GreaterThanOrEqualTo(20), "round trips measured during the flood");
            Assert.That(p99, Is.LessThan(TimeSpan.FromMilliseconds(100)), "p99 request/reply latency during the flood");
        });
    }

    /// <summary>One bad login. Each attacker guesses differently: identical verifications are
    /// joined by the worker and would cost one bcrypt in all.</summary>
    private static async Task AttackAsync(TestServer server, string guess)
    {
        await using var attacker = await server.ConnectRawAsync();
        attacker.Timeout = TimeSpan.FromSeconds(40); // waits its turn behind the other verifications
        attacker.AnswerPings = true; // and may be pinged meanwhile, as by nats-server
        await attacker.SendAsync($"CONNECT {Connect(new { user = "alice", pass = guess })}\r\nPING\r\n");
        await attacker.ExpectErrAndCloseAsync("Authorization Violation");
    }

    private static async Task<TimeSpan> RoundTripAsync(RawClient requester, string payload)
    {
        var stopwatch = Stopwatch.StartNew();
        await requester.SendAsync(Wire.Pub("svc", payload, reply: "_INBOX.me"));
        await requester.ExpectMsgAsync("_INBOX.me", "1", payload);
        return stopwatch.Elapsed;
    }

    /// <summary>Echoes every request to its reply subject until a request says "stop".</summary>
    private static Task RespondUntilStoppedAsync(RawClient responder) => Task.Run(async () =>
    {
        responder.Timeout = TimeSpan.FromSeconds(40);
        while (true)
        {
            var request = await responder.ReadMessageAsync();
            if (request.PayloadText == "stop")
            {
                return;
            }
            await responder.SendAsync(Wire.Pub(request.Reply!, request.PayloadText));
        }
    });
}
