using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// The stock host with both plugins: the WebSocket plugin's <c>jwt_cookie</c> stands in for an
/// empty CONNECT <c>jwt</c> and reaches Auth.JWT's check, as in nats-server. A bearer user JWT
/// needs no nonce signature, so a browser-like client with only the cookie gets in; without the
/// cookie, or with a non-bearer JWT and no signature, it is refused.
/// </summary>
[TestFixture]
[CancelAfter(150_000)]
public sealed partial class WebSocketCookieTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Test]
    public async Task A_bearer_user_jwt_in_the_cookie_connects_and_exchanges_messages()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        var user = setup.NewUser(account, "cookie", claims => claims.Nats.BearerToken = true);
        await using var host = await StartAsync(setup, setup.AccountJwt(account));

        using var client = await CookieClient.ConnectAsync(await WebSocketPortAsync(host), $"jwt={user.Jwt}");
        await client.ExpectAsync("INFO ");
        await client.SendAsync("CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n");
        await client.ExpectAsync("PONG\r\n");
        await client.SendAsync("SUB cookie.test 1\r\nPUB cookie.test 5\r\nhello\r\nPING\r\n");
        var received = await client.ExpectAsync("MSG cookie.test 1 5\r\nhello\r\n");
        Assert.That(received, Does.Not.Contain("-ERR"));
    }

    [Test]
    public async Task Without_the_cookie_the_client_is_refused()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        await using var host = await StartAsync(setup, setup.AccountJwt(account));

        using var client = await CookieClient.ConnectAsync(await WebSocketPortAsync(host), cookie: null);
        await client.ExpectAsync("INFO ");
        await client.SendAsync("CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n");
        var received = await client.ExpectAsync("-ERR 'Authorization Violation'");
        Assert.That(received, Does.Not.Contain("PONG"));
    }

    [Test]
    public async Task A_non_bearer_user_jwt_in_the_cookie_without_a_signature_is_refused()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        var user = setup.NewUser(account, "signer");
        await using var host = await StartAsync(setup, setup.AccountJwt(account));

        using var client = await CookieClient.ConnectAsync(await WebSocketPortAsync(host), $"jwt={user.Jwt}");
        await client.ExpectAsync("INFO ");
        await client.SendAsync("CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n");
        var received = await client.ExpectAsync("-ERR 'Authorization Violation'");
        Assert.That(received, Does.Not.Contain("PONG"));
    }

    private static Task<ReferenceServer> StartAsync(OperatorSetup setup, string accountJwt) =>
        ReferenceServer.StartHostAsync(
            setup.MemoryConfig(-1, accountJwt) + "\nwebsocket { host: 127.0.0.1, port: -1, no_tls: true, jwt_cookie: \"jwt\" }\n",
            TimeSpan.FromSeconds(60));

    // The WebSocket port is chosen by the host (-1): learned from its log line.
    private static async Task<int> WebSocketPortAsync(ReferenceServer host)
    {
        int? port = null;
        await Eventually.TrueAsync(
            () => (port = WebSocketPortLine().Match(host.Output) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null) is not null,
            "the host's log of its websocket port",
            Patience);
        return port!.Value;
    }

    [GeneratedRegex(@"Listening for websocket clients on ws://[^\s]*:(\d+)")]
    private static partial Regex WebSocketPortLine();

    /// <summary>A raw NATS client over binary WebSocket frames, with an optional Cookie header on the upgrade.</summary>
    private sealed class CookieClient : IDisposable
    {
        private readonly ClientWebSocket _socket = new();
        private readonly CancellationTokenSource _cts = new(Patience);
        // Everything read so far; only the test's thread reads and appends.
        private readonly StringBuilder _received = new();

        public static async Task<CookieClient> ConnectAsync(int port, string? cookie)
        {
            var client = new CookieClient();
            if (cookie is not null)
            {
                client._socket.Options.SetRequestHeader("Cookie", cookie);
            }
            await client._socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/"), client._cts.Token);
            return client;
        }

        public Task SendAsync(string text) =>
            _socket.SendAsync(Encoding.ASCII.GetBytes(text), WebSocketMessageType.Binary, endOfMessage: true, _cts.Token);

        /// <summary>Reads until <paramref name="expected"/> was received; fails on close or timeout with what came.</summary>
        public async Task<string> ExpectAsync(string expected)
        {
            var buffer = new byte[4096];
            while (!_received.ToString().Contains(expected, StringComparison.Ordinal))
            {
                WebSocketReceiveResult result;
                try
                {
                    result = await _socket.ReceiveAsync(buffer, _cts.Token);
                }
                catch (Exception e) when (e is WebSocketException or OperationCanceledException)
                {
                    throw new AssertionException($"expected \"{expected}\", the connection ended ({e.GetType().Name}) after: {_received}");
                }
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    throw new AssertionException($"expected \"{expected}\", the server closed after: {_received}");
                }
                _received.Append(Encoding.ASCII.GetString(buffer, 0, result.Count));
            }
            return _received.ToString();
        }

        public void Dispose()
        {
            _socket.Dispose();
            _cts.Dispose();
        }
    }
}
