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
[CancelAfter(120_000)]
public sealed class BcryptFloodTests
{
    private const int Attackers = 30;

    // Enough round trips for the control's p99; its length does not matter, its load does.
    private const int ControlVerifications = 10;

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

        // Side by side: bcrypt work on one thread of this process (the load the server's single
        // worker puts on the machine during the flood), then the flood itself. On a machine loaded by
        // other tests an absolute bound measured the neighbours; against the control it measures
        // what the flood costs connected clients beyond its CPU, which is the server's part.
        var control = await MeasureDuringAsync(requester, "during control", () => Task.Factory.StartNew(
            () => Enumerable.Range(0, ControlVerifications).Count(i => Bcrypt.Verify($"wrong-{i}", hash)),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        var flood = await MeasureDuringAsync(requester, "during flood",
            () => Task.WhenAll(Enumerable.Range(0, Attackers).Select(i => AttackAsync(server, $"wrong-{i}"))));
        await requester.SendAsync("PUB svc _INBOX.me 4\r\nstop\r\n");
        await responding;

        TestContext.Out.WriteLine($"control: {control}");
        TestContext.Out.WriteLine($"flood:   {flood}");
        // bcrypt on an I/O or pool thread stalls every connection for the whole flood (seconds);
        // off the I/O path the flood costs what the same CPU costs anyone on this machine.
        var bound = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, 4 * control.P99.Ticks));
        Assert.Multiple(() =>
        {
            // Thirty cost-10 verifications take seconds of CPU: the flood really loaded the server.
            Assert.That(flood.Elapsed, Is.GreaterThan(TimeSpan.FromMilliseconds(500)));
            Assert.That(flood.RoundTrips, Is.GreaterThanOrEqualTo(20), "round trips measured during the flood");
            Assert.That(flood.P99, Is.LessThan(bound), $"p99 request/reply latency during the flood (control p99 {control.P99})");
        });
    }

    /// <summary>Round trips measured while a load runs: how long it ran, how many, their p50 and p99.</summary>
    private sealed record Measurement(TimeSpan Elapsed, int RoundTrips, TimeSpan P50, TimeSpan P99)
    {
        public override string ToString() => $"{Elapsed}, {RoundTrips} round trips, p50 {P50}, p99 {P99}";
    }

    private static async Task<Measurement> MeasureDuringAsync(RawClient requester, string payload, Func<Task> load)
    {
        var elapsed = Stopwatch.StartNew();
        var running = load();
        var latencies = new List<TimeSpan>();
        while (!running.IsCompleted)
        {
            latencies.Add(await RoundTripAsync(requester, payload));
            await Task.Delay(1); // a steady client, not a second CPU hog competing with bcrypt
        }
        await running;
        elapsed.Stop();
        latencies.Sort();
        Assert.That(latencies, Is.Not.Empty, $"no round trip {payload}");
        return new Measurement(elapsed.Elapsed, latencies.Count, latencies[latencies.Count / 2], latencies[(int)Math.Ceiling(latencies.Count * 0.99) - 1]);
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
