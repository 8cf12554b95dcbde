using System.Security.Cryptography;
using System.Text;
using Nats.TestSupport;
using Nats.WebSocket.Config;
using Nats.WebSocket.Handshake;

namespace Nats.WebSocket.Tests;

[TestFixture]
public sealed class HandshakeTests
{
    private static readonly WebSocketOptions Plain = new() { Port = -1, NoTls = true };

    [Test]
    public void Accept_key_is_the_RFC_6455_example()
    {
        Assert.That(WebSocketHandshake.AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="), Is.EqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    }

    [Test]
    public async Task A_valid_upgrade_gets_101_with_the_accept_key_and_no_extension()
    {
        await using var host = new HandshakeHost(Plain);
        await using var client = await RawWebSocket.OpenAsync(host.Port);
        const string key = "dGhlIHNhbXBsZSBub25jZQ==";
        await client.SendTextAsync($"GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n");
        var head = await client.ReadResponseHeadAsync();
        var expectedAccept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        Assert.That(head, Is.EqualTo($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {expectedAccept}"));
    }

    [TestCase(true, "permessage-deflate; client_max_window_bits", true)]
    [TestCase(true, "x-webkit-deflate-frame, permessage-deflate", true)]
    [TestCase(true, "x-webkit-deflate-frame", false)]
    [TestCase(false, "permessage-deflate", false)]
    [TestCase(true, "permessage-deflate; server_max_window_bits=10", false)]
    [TestCase(true, "permessage-deflate; server_max_window_bits=10, permessage-deflate", true)]
    public async Task Compression_is_answered_with_no_context_takeover_only_when_configured_and_offered(bool configured, string offer, bool expected)
    {
        await using var host = new HandshakeHost(Plain with { Compression = configured });
        await using var client = await RawWebSocket.ConnectAsync(host.Port, "/", $"Sec-WebSocket-Extensions: {offer}");
        const string answer = "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover";
        Assert.That(client.ResponseHead.Contains(answer), Is.EqualTo(expected), client.ResponseHead);
    }

    [Test]
    public async Task A_client_window_size_the_client_announced_is_confirmed()
    {
        await using var host = new HandshakeHost(Plain with { Compression = true });
        await using var client = await RawWebSocket.ConnectAsync(host.Port, "/", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10");
        Assert.That(client.ResponseHead, Does.Contain("\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=10"));
    }

    [Test]
    public async Task Configured_headers_are_added_to_the_101()
    {
        await using var host = new HandshakeHost(Plain with { Headers = [new("Strict-Transport-Security", "max-age=31536000")] });
        await using var client = await RawWebSocket.ConnectAsync(host.Port);
        Assert.That(client.ResponseHead, Does.EndWith("\r\nStrict-Transport-Security: max-age=31536000"));
    }

    [Test]
    public void Cookies_forwarded_address_browser_and_masking_request_are_read_from_the_request()
    {
        var policy = new HandshakePolicy(Plain with { JwtCookie = "jwt", UsernameCookie = "u", PasswordCookie = "p", TokenCookie = "t", Compression = true });
        var request = Parse("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
                            "Sec-WebSocket-Version: 13\r\nCookie: jwt=\"eyJ0\"; other=x; u=alice\r\nCookie: p=secret; t=tok\r\n" +
                            "X-Forwarded-For: 10.1.2.3\r\nUser-Agent: Mozilla/5.0 (Macintosh) Version/17.0 Safari/605.1.15\r\n" +
                            "Sec-WebSocket-Extensions: permessage-deflate\r\nNats-No-Masking: true\r\n\r\n");
        var (upgrade, rejection) = WebSocketHandshake.Evaluate(request, policy, isTls: false);
        Assert.That(rejection, Is.Null);
        Assert.That(upgrade, Is.EqualTo(new WebSocketUpgrade
        {
            Kind = UpgradeKind.Client, Compression = true, NoMasking = true, Browser = true, NoCompressedFragments = true,
            CookieJwt = "eyJ0", CookieUsername = "alice", CookiePassword = "secret", CookieToken = "tok", ForwardedClientIp = "10.1.2.3",
        }));
    }

    [TestCase("/leafnode", UpgradeKind.LeafNode)]
    [TestCase("/some/path", UpgradeKind.Client)]
    public void The_path_suffix_picks_the_kind(string path, UpgradeKind kind)
    {
        var request = Parse($"GET {path} HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        Assert.That(WebSocketHandshake.Evaluate(request, new HandshakePolicy(Plain), false).Upgrade!.Kind, Is.EqualTo(kind));
    }

    /// <summary>Bad upgrades and the status nats-server answers each with (its wsUpgrade, and Go's HTTP server before it).</summary>
    public static readonly object[] BadUpgrades =
    [
        new object[] { "POST / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", 405, "request method must be GET" },
        new object[] { "GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", 400, "invalid value for header 'Upgrade'" },
        new object[] { "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", 400, "invalid value for header 'Connection'" },
        new object[] { "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n", 400, "key missing" },
        new object[] { "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n", 400, "invalid version" },
        new object[] { "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", 400, "invalid version" },
        new object[] { "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://evil.example\r\n\r\n", 403, "origin not allowed: not in the allowed list" },
        new object[] { "GET /mqtt HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", 404, "mqtt websocket endpoint not enabled" },
        new object[] { "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", 400, "missing required Host header" },
        new object[] { "GET / HTTP/1.1\r\nHost: h\r\nbroken header line\r\n\r\n", 400, "malformed MIME header line" },
        new object[] { "GARBAGE\r\n\r\n", 400, "malformed HTTP request" },
    ];

    private static readonly WebSocketOptions WithOrigins = Plain with { AllowedOrigins = ["http://good.example"] };

    [TestCaseSource(nameof(BadUpgrades))]
    public async Task A_bad_upgrade_is_answered_with_nats_servers_status_and_closed(string request, int status, string reason)
    {
        await using var host = new HandshakeHost(WithOrigins);
        await using var client = await RawWebSocket.OpenAsync(host.Port);
        await client.SendTextAsync(request);
        var answer = await client.ReadToEndAsync();
        Assert.That(answer, Does.StartWith($"HTTP/1.1 {status} "));
        var outcome = await host.NextOutcomeAsync();
        Assert.That(outcome, Is.TypeOf<HandshakeRejection>());
        Assert.That(((HandshakeRejection)outcome).Reason, Is.EqualTo(reason));
    }

    [Test]
    public async Task A_handler_rejection_has_the_Go_http_Error_shape()
    {
        await using var host = new HandshakeHost(WithOrigins);
        await using var client = await RawWebSocket.OpenAsync(host.Port);
        await client.SendTextAsync((string)((object[])BadUpgrades[1])[0]);
        var answer = await client.ReadToEndAsync();
        Assert.That(answer, Does.Match(
            "^HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nSec-Websocket-Version: 13\r\nX-Content-Type-Options: nosniff\r\nDate: .+ GMT\r\nContent-Length: 12\r\nConnection: close\r\n\r\nBad Request\n$"));
    }

    [Test]
    public async Task The_websocket_key_must_be_16_bytes_of_base64()
    {
        await using var host = new HandshakeHost(Plain);
        await using var client = await RawWebSocket.OpenAsync(host.Port);
        await client.SendTextAsync("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n\r\n");
        Assert.That(await client.ReadToEndAsync(), Does.StartWith("HTTP/1.1 400 "));
    }

    [Test]
    public async Task Data_sent_before_the_handshake_completes_closes_without_an_answer()
    {
        await using var host = new HandshakeHost(Plain);
        await using var client = await RawWebSocket.OpenAsync(host.Port);
        await client.SendTextAsync(RawWebSocket.UpgradeRequest(host.Port) + "early");
        Assert.That(await client.ReadToEndAsync(), Is.Empty);
        Assert.That(((HandshakeRejection)await host.NextOutcomeAsync()).Reason, Is.EqualTo("client sent data before handshake is complete"));
    }

    [Test]
    public async Task A_request_head_over_the_limit_is_refused_with_431_without_holding_more()
    {
        await using var host = new HandshakeHost(Plain);
        await using var client = await RawWebSocket.OpenAsync(host.Port);
        var huge = "GET / HTTP/1.1\r\nHost: h\r\nX-Pad: " + new string('a', HandshakePolicy.DefaultMaxHeadBytes) + "\r\n\r\n";
        // The server stops reading at the limit and answers; our write may then fail with a reset.
        try
        {
            await client.SendTextAsync(huge);
        }
        catch (IOException)
        {
        }
        Assert.That(await client.ReadToEndAsync(), Does.StartWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
    }

    [Test]
    public async Task A_slowloris_upgrade_is_cut_at_the_handshake_timeout()
    {
        await using var host = new HandshakeHost(Plain, handshakeTimeout: TimeSpan.FromMilliseconds(500));
        await using var client = await RawWebSocket.OpenAsync(host.Port);
        client.Timeout = TimeSpan.FromSeconds(20);
        var started = DateTime.UtcNow;
        await client.SendTextAsync("GET / HTTP/1.1\r\nHost: h\r\n");
        for (var i = 0; i < 3; i++)
        {
            await Task.Delay(100);
            await client.SendTextAsync("X-Slow: 1\r\n");
        }
        Assert.That(await client.IsClosedByServerAsync(), Is.True);
        // A server without the timeout would hold the upgrade until the client gives up (20 s).
        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(15)));
        Assert.That(await host.NextOutcomeAsync(), Is.InstanceOf<OperationCanceledException>());
    }

    [TestCase(true, "http://127.0.0.1:{0}", true)]
    [TestCase(true, "http://localhost:{0}", false)]
    [TestCase(true, "https://127.0.0.1:{0}", false)]
    [TestCase(false, "http://good.example", true)]
    [TestCase(false, "HTTP://good.example", true)]
    [TestCase(false, "https://good.example", false)]
    [TestCase(false, "http://GOOD.example:80", true)]
    [TestCase(false, "http://good.example:8080", false)]
    public async Task Origins_are_checked_as_nats_server_does(bool sameOrigin, string origin, bool allowed)
    {
        var options = sameOrigin ? Plain with { SameOrigin = true } : WithOrigins;
        await using var host = new HandshakeHost(options);
        await using var client = await RawWebSocket.OpenAsync(host.Port);
        await client.SendTextAsync(RawWebSocket.UpgradeRequest(host.Port, "/", "Origin: " + string.Format(origin, host.Port)));
        var head = await client.ReadResponseHeadAsync();
        Assert.That(head, Does.StartWith(allowed ? "HTTP/1.1 101 " : "HTTP/1.1 403 "));
    }

    private static HttpUpgradeRequest Parse(string text)
    {
        var outcome = HttpRequestReader.Parse(Encoding.ASCII.GetBytes(text.Replace("\r\n\r\n", "\r\n")));
        return outcome.Request ?? throw new InvalidOperationException(outcome.Rejection!.Reason);
    }
}
