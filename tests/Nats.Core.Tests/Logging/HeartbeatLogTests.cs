using Microsoft.Extensions.Logging;
using Nats.TestSupport;

namespace Nats.Core.Tests.Logging;

/// <summary>
/// The heartbeat (one timer driving every connection's auth, PING and write-deadline timers)
/// says when a tick overran its period, as Kestrel's heartbeat does, instead of silently
/// skipping the ticks that piled up behind it.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class HeartbeatLogTests
{
    [Test]
    public async Task A_tick_that_overruns_its_period_is_logged_as_slow()
    {
        var log = new ListLoggerProvider();
        using var factory = log.CreateFactory();
        // A 100 ms ping interval gives a 25 ms heartbeat period.
        await using var server = await TestServer.StartAsync(o => o.PingInterval = TimeSpan.FromMilliseconds(100), factory);
        var slowTicks = 0;
        server.Server.HeartbeatTestWork = () =>
        {
            // One tick does 200 ms of work, as on a machine too busy to run the timers on time.
            if (Interlocked.Increment(ref slowTicks) == 1)
            {
                Thread.Sleep(200);
            }
        };

        await Eventually.TrueAsync(() => log.Contains(LogLevel.Warning, "Heartbeat took"), "a slow heartbeat line", TimeSpan.FromSeconds(5));
        var line = log.Lines.First(l => l.Message.StartsWith("Heartbeat took", StringComparison.Ordinal)).Message;
        Assert.That(line, Does.Match(@"^Heartbeat took (\d+) ms, longer than its 25 ms period; timers of (\d+) connections ran late, (\d+) ticks skipped$"));
        var numbers = System.Text.RegularExpressions.Regex.Matches(line, @"\d+").Select(m => long.Parse(m.Value)).ToArray();
        Assert.That(numbers[0], Is.GreaterThanOrEqualTo(200), "the time the tick took");
    }

    [Test]
    public async Task Ticks_within_their_period_say_nothing()
    {
        var log = new ListLoggerProvider();
        using var factory = log.CreateFactory();
        // A 400 ms ping interval gives a 100 ms period, which a tick doing nothing never overruns.
        await using var server = await TestServer.StartAsync(o => o.PingInterval = TimeSpan.FromMilliseconds(400), factory);
        var ticks = 0;
        server.Server.HeartbeatTestWork = () => Interlocked.Increment(ref ticks);
        await Eventually.TrueAsync(() => Volatile.Read(ref ticks) >= 10, "10 heartbeat ticks", TimeSpan.FromSeconds(5));
        Assert.That(log.Contains(LogLevel.Warning, "Heartbeat took"), Is.False);
    }
}
