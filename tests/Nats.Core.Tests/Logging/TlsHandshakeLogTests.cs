using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Nats.Core.Logging;
using Nats.Core.Tests.Tls;
using Nats.TestSupport;
using static Nats.Core.Tests.Tls.TlsTestSupport;

namespace Nats.Core.Tests.Logging;

/// <summary>
/// A client that sends plain bytes to a TLS-required port: nats-server 2.9.10 logs
/// <c>[ERR] 127.0.0.1:53856 - cid:4 - TLS handshake error: tls: first record does not look like a TLS handshake</c>
/// once per attempt and closes it (<c>TLS Handshake Failure</c>); here the same line, and a
/// flood of such clients is held to <see cref="LogLimits.LinesPerSecond"/> lines a second with
/// every attempt written or counted.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class TlsHandshakeLogTests : ServersFixture
{
    private const string Line = @"^127\.0\.0\.1:\d+ - cid:\d+ - TLS handshake error: ";

    private TestPki _pki = null!;

    [SetUp]
    public void CreatePki() => _pki = DisposeAfterServers(new TestPki());

    [Test]
    public async Task Garbage_on_a_tls_port_logs_one_handshake_error_per_attempt()
    {
        var (server, log) = await StartTlsAsync();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await SendGarbageAsync(server.Port);
            var seen = attempt;
            await Eventually.TrueAsync(() => server.ClosedClients.Count == seen, $"attempt {seen} closed", TimeSpan.FromSeconds(10));
            await Eventually.TrueAsync(() => Written(log) == seen, $"attempt {seen} logged", TimeSpan.FromSeconds(5));
        }
        var lines = log.Lines.Where(l => l.Message.Contains("TLS handshake error", StringComparison.Ordinal)).ToList();
        TestContext.Out.WriteLine(lines[0].Message);
        Assert.That(lines, Has.Count.EqualTo(3), "one line per attempt, no more");
        Assert.That(lines.Select(l => l.Level), Is.All.EqualTo(LogLevel.Error), "nats-server logs it at [ERR]");
        Assert.That(lines.Select(l => l.Message), Is.All.Match(Line + ".+$"));
        Assert.That(server.ClosedClients.Select(c => c.Info.Reason), Is.All.EqualTo("TLS Handshake Failure"));
    }

    [Test]
    public async Task A_client_that_hangs_up_or_stays_silent_is_logged_as_nats_server_logs_it()
    {
        // nats-server 2.9.10, tls { timeout: 1 }: "[ERR] … - cid:5 - TLS handshake error: EOF" for a
        // client that reads INFO and hangs up, "… TLS handshake error: read tcp …: i/o timeout" for
        // one that sends nothing.
        var (server, log) = await StartTlsAsync(", timeout: 0.5");
        await using (var hangsUp = await RawClient.ConnectAsync(server.Port))
        {
            Assert.That(hangsUp.InfoLine, Does.Contain("\"tls_required\":true"));
        }
        await Eventually.TrueAsync(() => Written(log) == 1, "the hang-up logged at [ERR]", TimeSpan.FromSeconds(10));

        await using var silent = await RawClient.ConnectAsync(server.Port);
        await silent.ReadUntilClosedAsync();
        await Eventually.TrueAsync(() => Written(log) == 2, "the silent client logged at [ERR]", TimeSpan.FromSeconds(10));
        var lines = log.Lines.Where(l => l.Message.Contains("TLS handshake error", StringComparison.Ordinal)).Select(l => l.Message).ToList();
        TestContext.Out.WriteLine(string.Join("\n", lines));
        Assert.That(lines[1], Does.Match(Line + "i/o timeout$"));
        Assert.That(server.ClosedClients.Select(c => c.Info.Reason), Is.All.EqualTo("TLS Handshake Failure"));
    }

    [Test]
    public async Task A_flood_of_plain_clients_on_a_tls_port_writes_a_bounded_number_of_lines()
    {
        const int Clients = 300;
        var (server, log) = await StartTlsAsync();
        var started = DateTime.UtcNow;
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= Clients)
            {
                await SendGarbageAsync(server.Port);
            }
        }));
        await Eventually.TrueAsync(() => server.ClosedClients.Count == Clients, "every plain client closed", TimeSpan.FromSeconds(20));
        var windows = Math.Ceiling((DateTime.UtcNow - started).TotalSeconds) + 1;
        var written = Written(log);
        Assert.That(written, Is.GreaterThanOrEqualTo(LogLimits.LinesPerSecond));
        Assert.That(written, Is.LessThanOrEqualTo(LogLimits.LinesPerSecond * windows), $"{written} lines for {Clients} clients in {windows} windows");

        // Once the window reopens, the next line brings the count held back: every attempt is written or counted.
        await Task.Delay(1100);
        await SendGarbageAsync(server.Port);
        await Eventually.TrueAsync(() => Written(log) + Suppressed(log) == Clients + 1, "every failed handshake written or counted", TimeSpan.FromSeconds(10));
        TestContext.Out.WriteLine($"{Clients + 1} plain clients: {Written(log)} lines, {Suppressed(log)} counted in 'suppressed' lines");
    }

    private async Task<(NatsServer Server, ListLoggerProvider Log)> StartTlsAsync(string extra = "")
    {
        var cert = _pki.Issue("server");
        var options = TestConfig.Options($"tls {{ cert_file: {Q(cert.CertPath)}, key_file: {Q(cert.KeyPath)} {extra} }}");
        return await StartLoggedAsync(options, LogLevel.Information);
    }

    /// <summary>Reads the INFO (tls_required), answers with a plain CONNECT as a client without TLS would, and waits for the close.</summary>
    private static async Task SendGarbageAsync(int port)
    {
        await using var client = await RawClient.ConnectAsync(port);
        Assert.That(client.InfoLine, Does.Contain("\"tls_required\":true"));
        await client.SendAsync("CONNECT {}\r\nPING\r\n");
        await client.ReadUntilClosedAsync();
    }

    private static int Written(ListLoggerProvider log) =>
        log.Lines.Count(l => l.Level == LogLevel.Error && Regex.IsMatch(l.Message, Line));

    private static long Suppressed(ListLoggerProvider log) => log.Lines
        .Select(l => Regex.Match(l.Message, @"^TLS handshake error: (\d+) similar lines suppressed$"))
        .Where(m => m.Success)
        .Sum(m => long.Parse(m.Groups[1].Value));
}
