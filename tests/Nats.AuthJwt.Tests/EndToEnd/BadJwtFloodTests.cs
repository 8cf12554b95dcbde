using System.Diagnostics;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// A flood of connects with forged user JWTs must not stall connected JWT users: the signature
/// checks run on the plugin's verification worker, off the I/O threads (the issue's "a flood of
/// bad JWTs does not raise healthy clients' request p99", as the kernel's bcrypt flood test shows
/// for passwords).
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class BadJwtFloodTests
{
    private const int Attackers = 24;
    private const int ConnectsPerAttacker = 120;

    [Test]
    public async Task Forged_jwt_flood_is_verified_on_the_worker_and_barely_delays_request_reply()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        var svc = setup.NewUser(account, "svc");
        var req = setup.NewUser(account, "req");
        await using var server = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take(), setup.AccountJwt(account)));

        await using var responder = await LoginAsync(server, svc);
        await responder.SendAsync("SUB svc 1\r\n");
        await responder.PingAsync();
        await using var requester = await LoginAsync(server, req);
        await requester.SendAsync("SUB _INBOX.me 1\r\n");
        await requester.PingAsync();
        var responding = RespondUntilStoppedAsync(responder);
        for (var i = 0; i < 20; i++)
        {
            await RoundTripAsync(requester, "warm-up");
        }
        // A valid-looking user JWT whose signature no longer matches: the codec must run Ed25519 to refuse it.
        var forged = Forge(setup.NewUser(account, "mallory").Jwt);
        // The latency bound is wall clock on a machine shared with other test projects, and a burst
        // of their load during one flood can pass it (seen once at load 16: p99 450 ms). So one more
        // attempt, with a fresh baseline and a fresh flood, when the first misses: a server that
        // stalls its clients during the flood misses both.
        FloodResult result;
        var attempts = 0;
        do
        {
            result = await FloodAndMeasureAsync(server, requester, forged);
            attempts++;
            TestContext.Out.WriteLine($"attempt {attempts}: {result}");
        }
        while (result.P99 >= result.Bound && attempts < 2);
        await requester.SendAsync("PUB svc _INBOX.me 4\r\nstop\r\n");
        await responding;

        Assert.Multiple(() =>
        {
            // Every forged JWT was refused by a check that ran on the worker, none on an I/O thread.
            Assert.That(result.VerifiedOnWorker, Is.GreaterThanOrEqualTo(Attackers * ConnectsPerAttacker), "verifications run on the worker");
            Assert.That(result.RoundTrips, Is.GreaterThanOrEqualTo(20), "round trips measured during the flood");
            Assert.That(result.P99, Is.LessThan(result.Bound), "p99 request/reply latency during the flood");
        });
    }

    /// <summary>One flood and the round trips measured before and during it.</summary>
    private sealed record FloodResult(TimeSpan Flood, long VerifiedOnWorker, long QueueHighWater, int RoundTrips,
        TimeSpan P50, TimeSpan P99, TimeSpan BaselineP50, TimeSpan BaselineP99)
    {
        // The attackers run in this process and share its two cores with the server: each forged connect
        // costs accept, INFO, parse and close besides the verification. Measured on a loaded 2-core
        // machine the p99 was 105-150 ms with the worker and 114-240 ms with verification inline, so
        // 200 ms (or three times the machine's own p99 when it alone is that noisy).
        public TimeSpan Bound => TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(200).Ticks, 3 * BaselineP99.Ticks));

        public override string ToString() =>
            $"{Attackers * ConnectsPerAttacker} forged connects in {Flood.TotalMilliseconds:F0} ms " +
            $"({Attackers * ConnectsPerAttacker / Flood.TotalSeconds:F0}/s), verified on the worker {VerifiedOnWorker}, " +
            $"queue high water {QueueHighWater}; {RoundTrips} round trips, p50 {P50.TotalMilliseconds:F2} ms, p99 {P99.TotalMilliseconds:F2} ms " +
            $"(bound {Bound.TotalMilliseconds:F0} ms); without the flood p50 {BaselineP50.TotalMilliseconds:F2} ms, p99 {BaselineP99.TotalMilliseconds:F2} ms";
    }

    private static async Task<FloodResult> FloodAndMeasureAsync(JwtServer server, RawClient requester, string forged)
    {
        var worker = server.Plugin.Verification!;
        // The same client pattern without the flood: the machine's own noise (other processes share the cores).
        var baseline = new List<TimeSpan>();
        for (var i = 0; i < 150; i++)
        {
            baseline.Add(await RoundTripAsync(requester, "baseline"));
            await Task.Delay(1);
        }

        var verifiedBefore = worker.Completed;
        var floodTime = Stopwatch.StartNew();
        var flood = Task.WhenAll(Enumerable.Range(0, Attackers).Select(_ => AttackAsync(server, forged)));
        var latencies = new List<TimeSpan>();
        while (!flood.IsCompleted && latencies.Count < 100_000)
        {
            latencies.Add(await RoundTripAsync(requester, "during flood"));
            await Task.Delay(1); // a steady client, not a third CPU hog
        }
        await flood;
        floodTime.Stop();
        var (p50, p99) = Percentiles(latencies);
        var (baseP50, baseP99) = Percentiles(baseline);
        return new FloodResult(floodTime.Elapsed, worker.Completed - verifiedBefore, worker.QueueHighWater, latencies.Count,
            p50, p99, baseP50, baseP99);
    }

    private static (TimeSpan P50, TimeSpan P99) Percentiles(List<TimeSpan> samples)
    {
        samples.Sort();
        return (samples[samples.Count / 2], samples[(int)Math.Ceiling(samples.Count * 0.99) - 1]);
    }

    /// <summary>Flips a character of the signature part (keeping it valid base64url).</summary>
    private static string Forge(string jwt)
    {
        var chars = jwt.ToCharArray();
        var i = jwt.LastIndexOf('.') + 5;
        chars[i] = chars[i] == 'A' ? 'B' : 'A';
        return new string(chars);
    }

    private static async Task<RawClient> LoginAsync(JwtServer server, TestUser user)
    {
        var client = await RawClient.ConnectAsync(server.Port);
        client.AnswerPings = true; // the test outlives the server's first (RTT) PING
        client.Timeout = TimeSpan.FromSeconds(30);
        await client.SendAsync(user.Connect(client.Info.GetProperty("nonce").GetString()!) + "\r\n");
        await client.PingAsync();
        return client;
    }

    /// <summary>One attacker: connects again and again with the forged JWT, each refused.</summary>
    private static async Task AttackAsync(JwtServer server, string forged)
    {
        for (var i = 0; i < ConnectsPerAttacker; i++)
        {
            await using var attacker = await RawClient.ConnectAsync(server.Port);
            attacker.Timeout = TimeSpan.FromSeconds(30);
            attacker.AnswerPings = true;
            await attacker.SendAsync($$"""CONNECT {"verbose":false,"pedantic":false,"jwt":"{{forged}}","sig":"AAAA"}""" + "\r\nPING\r\n");
            await attacker.ExpectErrAndCloseAsync("Authorization Violation");
        }
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
