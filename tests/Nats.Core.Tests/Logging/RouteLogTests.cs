using Microsoft.Extensions.Logging;
using Nats.Core.Config;
using Nats.Core.Logging;
using Nats.TestSupport;

namespace Nats.Core.Tests.Logging;

/// <summary>
/// What both sides of a route say when the peer belongs to another cluster (nats-server's
/// lines, with the <c>rid</c> prefix), and that a peer redialling with the wrong name over and
/// over cannot flood the log.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class RouteLogTests : ServersFixture
{
    [Test]
    public async Task A_route_from_another_cluster_is_refused_and_both_sides_say_why()
    {
        var (a, aLog) = await StartAsync("A");
        var (_, bLog) = await StartAsync("B", a);

        var rejected = await LineAsync(aLog, LogLevel.Error, "Rejecting connection");
        Assert.That(rejected, Does.Match(@"^127\.0\.0\.1:\d+ - rid:\d+ - Rejecting connection, cluster name ""B"" does not match ""A""$"));
        Assert.That(await LineAsync(aLog, LogLevel.Information, "Router connection closed"), Does.Match(@"^127\.0\.0\.1:\d+ - rid:\d+ - Router connection closed: Cluster Name Conflict$"));
        // The dialling side reads A's INFO first and closes on it (nats-server closes there
        // silently, then logs the -ERR it finds behind the INFO; this server says why it closed).
        var mismatch = await LineAsync(bLog, LogLevel.Error, "does not match");
        Assert.That(mismatch, Does.Match($@"^127\.0\.0\.1:{a.Routes!.Port} - rid:\d+ - Cluster name ""A"" does not match ""B""$"));
        Assert.That(await LineAsync(bLog, LogLevel.Debug, "Route connect msg sent"), Does.Contain("rid:"));
        Assert.That(await LineAsync(bLog, LogLevel.Information, "Router connection closed: Cluster Name Conflict"), Does.Contain("rid:"));
    }

    [Test]
    public async Task A_flood_of_routes_with_the_wrong_cluster_writes_a_bounded_number_of_lines()
    {
        const int Attempts = 200;
        var (a, aLog) = await StartAsync("A");
        var started = DateTime.UtcNow;
        for (var i = 0; i < Attempts; i++)
        {
            await using var route = await RawClient.ConnectAsync(a.Routes!.Port);
            await route.SendAsync("""CONNECT {"verbose":false,"pedantic":false,"tls_required":false,"name":"intruder","cluster":"B","headers":true}""" + "\r\n");
            await route.ReadUntilClosedAsync();
        }
        var windows = Math.Ceiling((DateTime.UtcNow - started).TotalSeconds) + 1;

        var lines = aLog.Count(LogLevel.Error, "- Rejecting connection, cluster name");
        Assert.That(lines, Is.GreaterThanOrEqualTo(LogLimits.LinesPerSecond));
        Assert.That(lines, Is.LessThanOrEqualTo(LogLimits.LinesPerSecond * windows), $"{lines} lines for {Attempts} routes in {windows} windows");
        Assert.That(aLog.Count(LogLevel.Information, "Router connection closed: Cluster Name Conflict"), Is.LessThanOrEqualTo(LogLimits.LinesPerSecond * windows));
    }

    [Test]
    public async Task Garbage_from_a_route_is_logged_with_the_route_and_a_quoted_snippet()
    {
        var (a, aLog) = await StartAsync("A");
        await using var route = await RawClient.ConnectAsync(a.Routes!.Port);
        await route.SendAsync("""CONNECT {"verbose":false,"pedantic":false,"tls_required":false,"name":"peer","cluster":"A","headers":true}""" + "\r\n\u0001GARBAGE from a route\r\n");
        await route.ReadUntilClosedAsync();

        var line = await LineAsync(aLog, LogLevel.Error, "Route parser ERROR");
        Assert.That(line, Does.Match(@"^127\.0\.0\.1:\d+ - rid:\d+ - Route parser ERROR: UnknownOperation: proto='""\\x01GARBAGE from a route\\r\\n""\.\.\.'$"));
    }

    [Test]
    public async Task A_route_closed_by_a_shutdown_is_logged_as_server_shutdown()
    {
        var (a, aLog) = await StartLoggedAsync(TestCluster.Member("a", "A"));
        var (b, _) = await StartLoggedAsync(TestCluster.Member("b", "A", a));
        await Eventually.TrueAsync(() => a.Routes!.Routes.Count == 1 && b.Routes!.Routes.Count == 1, "the route registered on both sides");

        await a.ShutdownAsync();

        var closed = aLog.Lines.Where(l => l.Message.Contains("Router connection closed", StringComparison.Ordinal)).Select(l => l.Message).ToList();
        Assert.That(closed, Has.Count.EqualTo(1), string.Join("\n", closed));
        Assert.That(closed[0], Does.Match(@"^127\.0\.0\.1:\d+ - rid:\d+( - ""b"")? - Router connection closed: Server Shutdown$"));
    }

    private Task<(NatsServer Server, ListLoggerProvider Log)> StartAsync(string cluster, NatsServer? seed = null) =>
        StartLoggedAsync(TestCluster.Member("s" + cluster, cluster, seed is null ? [] : [seed]));

    private static async Task<string> LineAsync(ListLoggerProvider log, LogLevel level, string text)
    {
        await Eventually.TrueAsync(() => log.Contains(level, text), $"a {level} line with {text}", TimeSpan.FromSeconds(10));
        return log.Lines.First(l => l.Level == level && l.Message.Contains(text, StringComparison.Ordinal)).Message;
    }
}
