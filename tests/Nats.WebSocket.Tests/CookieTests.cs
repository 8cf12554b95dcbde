using Nats.TestSupport;

namespace Nats.WebSocket.Tests;

/// <summary>
/// <c>user_cookie</c>, <c>pass_cookie</c>, <c>token_cookie</c>: the upgrade's cookies stand in
/// for the CONNECT fields the client leaves empty, as nats-server's <c>processConnect</c>.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class CookieTests
{
    private static async Task<string> LoginAsync(int port, string connect, params string[] headers)
    {
        await using var ws = await RawWebSocket.ConnectAsync(port, "/", headers);
        await ws.ReadFrameAsync();
        await ws.SendBinaryAsync($"CONNECT {connect}\r\nPING\r\n");
        var answer = await EndToEndTests.ReadUntilAsync(ws, "PONG\r\n");
        return answer.StartsWith("-ERR", StringComparison.Ordinal) ? answer[..answer.IndexOf('\r')] : answer;
    }

    [Test]
    public async Task User_and_password_cookies_stand_in_for_an_empty_connect()
    {
        var (server, plugin) = await EndToEndTests.StartAsync("port: -1\nhost: 127.0.0.1\nno_tls: true\nuser_cookie: u\npass_cookie: p\nauthorization { user: wsuser, password: wspass }");
        await using var _ = server;
        Assert.That(await LoginAsync(plugin.Port, "{\"verbose\":false}", "Cookie: u=wsuser; p=wspass"), Is.EqualTo("PONG\r\n"));
        Assert.That(await LoginAsync(plugin.Port, "{\"verbose\":false}"), Is.EqualTo("-ERR 'Authorization Violation'"), "no cookie, no credentials");
        Assert.That(await LoginAsync(plugin.Port, "{\"verbose\":false}", "Cookie: u=wsuser; p=wrong"), Is.EqualTo("-ERR 'Authorization Violation'"));
        // What the CONNECT names wins over the cookie.
        Assert.That(await LoginAsync(plugin.Port, "{\"verbose\":false,\"pass\":\"wrong\"}", "Cookie: u=wsuser; p=wspass"), Is.EqualTo("-ERR 'Authorization Violation'"));
        Assert.That(await LoginAsync(plugin.Port, "{\"verbose\":false,\"pass\":\"wspass\"}", "Cookie: u=wsuser; p=wrong"), Is.EqualTo("PONG\r\n"));
    }

    [Test]
    public async Task A_token_cookie_stands_in_for_auth_token()
    {
        var (server, plugin) = await EndToEndTests.StartAsync("port: -1\nhost: 127.0.0.1\nno_tls: true\ntoken_cookie: t\nauthorization { token: s3cret }");
        await using var _ = server;
        Assert.That(await LoginAsync(plugin.Port, "{\"verbose\":false}", "Cookie: other=1; t=s3cret"), Is.EqualTo("PONG\r\n"));
        Assert.That(await LoginAsync(plugin.Port, "{\"verbose\":false}", "Cookie: x=s3cret"), Is.EqualTo("-ERR 'Authorization Violation'"), "only the named cookie");
    }
}
