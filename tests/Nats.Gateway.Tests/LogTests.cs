using Microsoft.Extensions.Logging;
using Nats.TestSupport;

namespace Nats.Gateway.Tests;

/// <summary>
/// A gateway connection's log lines start as nats-server's do, and as routes' and clients' do
/// here: the link, then <c>" - "</c>, then the event (<c>127.0.0.1:7222 - gid:5 - "B" - Outbound gateway connection to "B" (id) registered</c>).
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class LogTests
{
    private const string Link = @"^127\.0\.0\.1:\d+ - gid:\d+( - ""B"")? - ";

    [Test]
    public async Task Connection_lines_separate_the_link_from_the_event()
    {
        var ports = FreePorts.Take(2);
        await using var a = await OurServer.StartAsync("a1", Gateways.Block("A", ports[0], ("B", ports[1])));
        var b = await OurServer.StartAsync("b1", Gateways.Block("B", ports[1], ("A", ports[0])));
        await using (b)
        {
            await a.WaitForGatewayAsync("B");
            Assert.That(await LineAsync(a.Logs, "Creating outbound gateway connection"), Does.Match(Link + @"Creating outbound gateway connection to ""B""$"));
            Assert.That(await LineAsync(a.Logs, "Outbound gateway connection to \"B\" ("), Does.Match(Link + @"Outbound gateway connection to ""B"" \(\w+\) registered$"));
            Assert.That(await LineAsync(a.Logs, "Processing inbound gateway connection"), Does.Match(Link + "Processing inbound gateway connection$"));
            Assert.That(await LineAsync(a.Logs, "Inbound gateway connection from \"B\" ("), Does.Match(Link + @"Inbound gateway connection from ""B"" \(\w+\) registered$"));
        }
        Assert.That(await LineAsync(a.Logs, "Outbound gateway connection to \"B\" closed"), Does.Match(Link + @"Outbound gateway connection to ""B"" closed: .+$"));
        Assert.That(a.Logs.Lines.Where(l => l.Message.Contains(" - gid:", StringComparison.Ordinal)).Select(l => l.Message), Has.All.Match(Link), "every gateway connection line");
    }

    private static async Task<string> LineAsync(ListLoggerProvider log, string text)
    {
        await Eventually.TrueAsync(() => log.Contains(LogLevel.Information, text), $"an INF line with {text}");
        return log.Lines.First(l => l.Level == LogLevel.Information && l.Message.Contains(text, StringComparison.Ordinal)).Message;
    }
}
