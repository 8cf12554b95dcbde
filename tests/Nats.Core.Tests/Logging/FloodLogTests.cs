using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Nats.Core.Logging;
using Nats.TestSupport;

namespace Nats.Core.Tests.Logging;

/// <summary>
/// 10,000 connections sending garbage write a bounded number of lines at the default level
/// (at most <see cref="LogLimits.LinesPerSecond"/> parser errors a second plus one line per
/// second counting the rest), and no bad connection goes uncounted.
/// </summary>
[TestFixture]
[CancelAfter(300_000)]
public sealed class FloodLogTests
{
    private const int Connections = 10_000;

    [Test]
    public async Task Ten_thousand_garbage_clients_write_a_bounded_number_of_lines()
    {
        var log = new ListLoggerProvider();
        using var factory = log.CreateFactory(LogLevel.Information);
        await using var server = await TestServer.StartAsync(logs: factory);
        var before = log.Lines.Count;
        var started = DateTime.UtcNow;
        var next = 0;
        var workers = Enumerable.Range(0, 16).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= Connections)
            {
                await using var client = await server.ConnectRawAsync();
                // A connection a loaded machine leaves waiting 2 s gets the server's first PING before the -ERR.
                client.AnswerPings = true;
                // And a starved test process may see the close after the -ERR seconds late.
                client.Timeout = TimeSpan.FromSeconds(20);
                await client.SendAsync("\u0001GARBAGE\r\n");
                await client.ExpectErrAndCloseAsync("Unknown Protocol Operation");
            }
        });
        await Task.WhenAll(workers);
        var seconds = Math.Ceiling((DateTime.UtcNow - started).TotalSeconds) + 1;

        // One more once the window reopened: it brings the count of the last window's held-back lines.
        await Task.Delay(1100);
        await using (var last = await server.ConnectRawAsync())
        {
            last.AnswerPings = true;
            await last.SendAsync("\u0001GARBAGE\r\n");
            await last.ExpectErrAndCloseAsync("Unknown Protocol Operation");
        }
        await Eventually.TrueAsync(() => Written(log) + Suppressed(log) == Connections + 1, "every parser error written or counted", TimeSpan.FromSeconds(5));

        var lines = log.Lines.Count - before;
        TestContext.Out.WriteLine($"{Connections} bad clients in {seconds - 1} s: {lines} lines ({Written(log)} parser errors, {Suppressed(log)} counted in 'suppressed' lines)");
        Assert.That(Written(log), Is.LessThanOrEqualTo(LogLimits.LinesPerSecond * (seconds + 2)));
        Assert.That(lines, Is.LessThanOrEqualTo((LogLimits.LinesPerSecond + 1) * (seconds + 2)), "nothing else is written per connection at the default level");
        Assert.That(log.Lines.First(l => l.Message.Contains("parser ERROR")).Message, Does.EndWith("""Client parser ERROR: proto='"\x01GARBAGE\r\n"...'"""));
        await server.AssertHealthyAsync();
    }

    private static int Written(ListLoggerProvider log) => log.Count(LogLevel.Error, "Client parser ERROR");

    private static long Suppressed(ListLoggerProvider log) => log.Lines
        .Select(l => Regex.Match(l.Message, @"^protocol error: (\d+) similar lines suppressed$"))
        .Where(m => m.Success)
        .Sum(m => long.Parse(m.Groups[1].Value));
}
