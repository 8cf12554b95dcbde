using Microsoft.Extensions.Logging;
using Nats.Core.Logging;
using Nats.TestSupport;

namespace Nats.Core.Tests.Logging;

/// <summary>
/// What the operator reads about clients: nats-server's lines and prefixes for the life of a
/// connection, which scheme refused a login (never the secret), slow consumers, stale and
/// refused connections, and a bounded number of lines however many clients misbehave.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class ConnectionLogTests
{
    private const string Password = "s3cret-pa55";

    private ListLoggerProvider _log = null!;
    private ILoggerFactory _factory = null!;
    private readonly List<TestServer> _servers = [];

    [SetUp]
    public void CreateLog()
    {
        _log = new ListLoggerProvider();
        _factory = _log.CreateFactory();
    }

    [TearDown]
    public async Task StopServers()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        _servers.Clear();
        _factory.Dispose();
    }

    [Test]
    public async Task A_client_is_created_and_closed_with_nats_server_prefixes()
    {
        var server = await StartAsync();
        await using (var client = await server.ConnectAsync("""{"verbose":false,"lang":"go","version":"1.2.3","name":"orders"}"""))
        {
            await client.PingAsync();
        }

        var created = await LineAsync(LogLevel.Debug, "Client connection created");
        Assert.That(created, Does.Match(@"^127\.0\.0\.1:\d+ - cid:\d+ - Client connection created$"));
        var closed = await LineAsync(LogLevel.Debug, "Client connection closed");
        Assert.That(closed, Does.Match(@"^127\.0\.0\.1:\d+ - cid:\d+ - ""v1\.2\.3:go:orders"" - Client connection closed: Client Closed$"));
    }

    [Test]
    public async Task A_client_without_a_name_shows_version_and_language()
    {
        var server = await StartAsync();
        await using (var client = await server.ConnectAsync("""{"verbose":false,"lang":"go","version":"1.2.3"}"""))
        {
            await client.PingAsync();
        }
        Assert.That(await LineAsync(LogLevel.Debug, "Client connection closed"), Does.Contain(@" - ""v1.2.3:go"" - Client connection closed"));
    }

    [Test]
    public async Task A_bad_password_logs_the_scheme_and_the_check_never_the_secret()
    {
        var server = await StartAsync(o => o.Auth.Users = [new() { Username = "alice", Password = Password }]);
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync("""CONNECT {"verbose":false,"user":"alice","pass":"wrong-one"}""" + "\r\n");
        await client.ExpectErrAndCloseAsync("Authorization Violation");

        var line = await LineAsync(LogLevel.Error, "authentication error");
        Assert.That(line, Does.Match(@"^127\.0\.0\.1:\d+ - cid:\d+ - authentication error - user: invalid password for user ""alice""$"));
        Assert.That(_log.Lines.Any(l => l.Message.Contains("wrong-one") || l.Message.Contains(Password)), Is.False, "no secret in the log");
    }

    [Test]
    public async Task Credentials_no_scheme_takes_name_what_was_offered()
    {
        var server = await StartAsync(o => o.Auth.Users = [new() { Username = "alice", Password = Password }]);
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync("""CONNECT {"verbose":false,"auth_token":"tok-123"}""" + "\r\n");
        await client.ExpectErrAndCloseAsync("Authorization Violation");

        var line = await LineAsync(LogLevel.Error, "authentication error");
        Assert.That(line, Does.EndWith("authentication error - none: no authenticator accepted the credentials (token)"));
        Assert.That(line, Does.Not.Contain("tok-123"));
    }

    [Test]
    public async Task A_flood_of_bad_passwords_writes_a_bounded_number_of_lines()
    {
        const int Clients = 300;
        var server = await StartAsync(o =>
        {
            o.Auth.Users = [new() { Username = "alice", Password = Password }];
            // A loaded machine may keep a client from sending its CONNECT for the default 2 s: it
            // would be closed for the auth timeout, which is not what this test floods with.
            o.Auth.Timeout = TimeSpan.FromSeconds(30);
        });
        var started = DateTime.UtcNow;
        await RunInParallelAsync(Clients, async () =>
        {
            await using var client = await server.ConnectRawAsync();
            client.AnswerPings = true; // a loaded machine may keep it past the server's first PING (2 s)
            client.Timeout = TimeSpan.FromSeconds(20);
            await client.SendAsync("""CONNECT {"verbose":false,"user":"alice","pass":"nope"}""" + "\r\n");
            await client.ExpectErrAndCloseAsync("Authorization Violation");
        });
        var windows = Math.Ceiling((DateTime.UtcNow - started).TotalSeconds) + 1;

        var lines = _log.Count(LogLevel.Error, "- authentication error - ");
        Assert.That(lines, Is.GreaterThanOrEqualTo(LogLimits.LinesPerSecond));
        Assert.That(lines, Is.LessThanOrEqualTo(LogLimits.LinesPerSecond * windows), $"{lines} lines for {Clients} clients in {windows} windows");

        // Once the window reopens, the next line is preceded by the count held back.
        await Task.Delay(1100);
        await using (var late = await server.ConnectRawAsync())
        {
            await late.SendAsync("""CONNECT {"verbose":false,"user":"alice","pass":"nope"}""" + "\r\n");
            await late.ExpectErrAndCloseAsync("Authorization Violation");
        }
        var suppressed = await LineAsync(LogLevel.Error, "similar lines suppressed");
        Assert.That(suppressed, Does.Match(@"^authentication error: \d+ similar lines suppressed$"));
        await server.AssertHealthyAsync("""{"verbose":false,"user":"alice","pass":"s3cret-pa55"}""");
    }

    [Test]
    public async Task A_flood_over_max_connections_writes_a_bounded_number_of_lines()
    {
        const int Clients = 300;
        var server = await StartAsync(o => o.MaxConnections = 1);
        await using var holder = await server.ConnectAsync();
        var started = DateTime.UtcNow;
        await RunInParallelAsync(Clients, async () =>
        {
            await using var client = await server.ConnectRawAsync();
            await client.ExpectErrAndCloseAsync("maximum connections exceeded");
        });
        var windows = Math.Ceiling((DateTime.UtcNow - started).TotalSeconds) + 1;

        var line = await LineAsync(LogLevel.Error, "maximum connections exceeded");
        Assert.That(line, Does.Match(@"^127\.0\.0\.1:\d+ - cid:\d+ - maximum connections exceeded$"));
        var lines = _log.Count(LogLevel.Error, "- maximum connections exceeded");
        Assert.That(lines, Is.LessThanOrEqualTo(LogLimits.LinesPerSecond * windows), $"{lines} lines for {Clients} clients in {windows} windows");
    }

    [Test]
    public async Task A_stuck_subscriber_is_logged_as_a_slow_consumer()
    {
        const long MaxPending = 256 * 1024;
        var server = await StartAsync(o => o.MaxPending = MaxPending);
        var stuck = await RawClient.ConnectAsync(server.Port, receiveBuffer: 4096);
        await stuck.SendAsync("CONNECT {\"verbose\":false}\r\nSUB flood 1\r\n");
        await stuck.PingAsync();
        await using var publisher = await server.ConnectAsync();
        // 16 MB: well past what the loopback socket buffers absorb before max_pending counts.
        var payload = new string('x', 2048);
        var batch = string.Concat(Enumerable.Repeat($"PUB flood {payload.Length}\r\n{payload}\r\n", 8192));
        await publisher.SendAsync(batch);

        var line = await LineAsync(LogLevel.Information, "Slow Consumer Detected");
        Assert.That(line, Does.Match($@"^127\.0\.0\.1:\d+ - cid:\d+ - Slow Consumer Detected: MaxPending of {MaxPending} Exceeded$"));
        await stuck.DisposeAsync();
    }

    [Test]
    public async Task A_stuck_write_is_logged_as_a_slow_consumer_with_the_write_deadline()
    {
        var server = await StartAsync(o =>
        {
            o.WriteDeadline = TimeSpan.FromMilliseconds(200);
            o.MaxPending = 512L * 1024 * 1024; // never the reason here
        });
        var stuck = await RawClient.ConnectAsync(server.Port, receiveBuffer: 4096);
        await stuck.SendAsync("CONNECT {\"verbose\":false}\r\nSUB flood 1\r\n");
        await stuck.PingAsync();
        await using var publisher = await server.ConnectAsync();
        var payload = new string('x', 2048);
        await publisher.SendAsync(string.Concat(Enumerable.Repeat($"PUB flood {payload.Length}\r\n{payload}\r\n", 8192)));

        var line = await LineAsync(LogLevel.Information, "Slow Consumer Detected");
        Assert.That(line, Does.Match(@"^127\.0\.0\.1:\d+ - cid:\d+ - Slow Consumer Detected: WriteDeadline of 200ms exceeded with \d+ total bytes\.$"));
        await stuck.DisposeAsync();
    }

    [Test]
    public async Task A_client_that_stops_answering_pings_is_logged_as_stale()
    {
        var server = await StartAsync(o =>
        {
            o.PingInterval = TimeSpan.FromMilliseconds(100);
            o.MaxPingsOut = 2;
        });
        await using var client = await server.ConnectAsync();
        await client.ReadUntilClosedAsync();

        var line = await LineAsync(LogLevel.Debug, "Stale Client Connection");
        Assert.That(line, Does.Match(@"^127\.0\.0\.1:\d+ - cid:\d+ - Stale Client Connection - Closing$"));
        Assert.That(await LineAsync(LogLevel.Debug, "Client connection closed: Stale Connection"), Does.Contain("cid:"));
    }

    [Test]
    public void A_limiter_lets_a_window_through_then_counts_what_it_held_back()
    {
        var limiter = new LogRateLimiter("test line", linesPerWindow: 3, TimeSpan.FromMilliseconds(200));
        var logger = _factory.CreateLogger("test");
        var allowed = Enumerable.Range(0, 10).Count(_ => limiter.Allow(logger, LogLevel.Error));
        Assert.That(allowed, Is.EqualTo(3));
        Thread.Sleep(250);
        Assert.That(limiter.Allow(logger, LogLevel.Error), Is.True);
        Assert.That(_log.Lines.Single().Message, Is.EqualTo("test line: 7 similar lines suppressed"));
    }

    [Test]
    public void A_level_the_log_does_not_write_uses_none_of_the_window()
    {
        var limiter = new LogRateLimiter("test line", linesPerWindow: 1, TimeSpan.FromMinutes(1));
        using var infoOnly = LoggerFactory.Create(b => b.AddProvider(_log).SetMinimumLevel(LogLevel.Information));
        var logger = infoOnly.CreateLogger("test");
        Assert.That(limiter.Allow(logger, LogLevel.Debug), Is.False);
        Assert.That(limiter.Allow(logger, LogLevel.Error), Is.True);
    }

    private async Task<TestServer> StartAsync(Action<Nats.Core.Config.ServerOptions>? configure = null)
    {
        var server = await TestServer.StartAsync(configure, _factory);
        _servers.Add(server);
        return server;
    }

    /// <summary>Runs <paramref name="count"/> clients, eight at a time, as a flood would.</summary>
    private static async Task RunInParallelAsync(int count, Func<Task> client)
    {
        var next = 0;
        var workers = Enumerable.Range(0, 8).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                await client();
            }
        });
        await Task.WhenAll(workers);
    }

    private async Task<string> LineAsync(LogLevel level, string text)
    {
        await Eventually.TrueAsync(() => _log.Contains(level, text), $"a {level} line with {text}", TimeSpan.FromSeconds(5));
        return _log.Lines.First(l => l.Level == level && l.Message.Contains(text, StringComparison.Ordinal)).Message;
    }
}
