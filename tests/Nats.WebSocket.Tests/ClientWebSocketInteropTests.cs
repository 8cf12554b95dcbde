using System.Net.WebSockets;
using Nats.WebSocket.Config;

namespace Nats.WebSocket.Tests;

/// <summary>
/// .NET's own <see cref="ClientWebSocket"/> (an independent RFC 6455/7692 implementation)
/// against our handshake and stream: messages of every size echo back intact, with and
/// without permessage-deflate, and a close completes with the status sent.
/// </summary>
[TestFixture]
public sealed class ClientWebSocketInteropTests
{
    [TestCase(false)]
    [TestCase(true)]
    public async Task Messages_of_every_size_echo_back_intact(bool compression)
    {
        await using var host = new HandshakeHost(new WebSocketOptions { Port = -1, NoTls = true, Compression = compression });
        using var client = new ClientWebSocket();
        if (compression)
        {
            client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions { ClientContextTakeover = false, ServerContextTakeover = false };
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{host.Port}/"), cts.Token);
        Assert.That(client.HttpResponseHeaders?.ContainsKey("Sec-WebSocket-Extensions") ?? compression, Is.EqualTo(compression));
        var random = new Random(3);
        foreach (var size in new[] { 1, 64, 65, 125, 126, 65535, 65536, 300_000 })
        {
            var message = new byte[size];
            for (var i = 0; i < size; i++)
            {
                message[i] = i % 3 == 0 ? (byte)random.Next(256) : (byte)'n';
            }
            var flags = compression ? WebSocketMessageFlags.EndOfMessage : WebSocketMessageFlags.EndOfMessage | WebSocketMessageFlags.DisableCompression;
            await client.SendAsync(message, WebSocketMessageType.Binary, flags, cts.Token);
            // The echo may come back as several messages (one per read the server made).
            var received = new byte[size];
            var total = 0;
            while (total < size)
            {
                var result = await client.ReceiveAsync(received.AsMemory(total), cts.Token);
                Assert.That(result.MessageType, Is.EqualTo(WebSocketMessageType.Binary));
                total += result.Count;
            }
            Assert.That(received, Is.EqualTo(message), $"size {size}");
        }
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
        Assert.That((client.CloseStatus, client.CloseStatusDescription), Is.EqualTo((WebSocketCloseStatus.NormalClosure, "done")));
    }

    [Test]
    public async Task A_compressed_message_from_the_client_is_inflated()
    {
        // The server answers a compressed message; .NET compresses every message once negotiated.
        await using var host = new HandshakeHost(new WebSocketOptions { Port = -1, NoTls = true, Compression = true });
        using var client = new ClientWebSocket();
        client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions { ClientContextTakeover = false, ServerContextTakeover = false, ClientMaxWindowBits = 9 };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{host.Port}/"), cts.Token);
        var text = "PUB greeting 11\r\nhello world\r\n"u8.ToArray();
        await client.SendAsync(text, WebSocketMessageType.Binary, true, cts.Token);
        var received = new byte[text.Length];
        var total = 0;
        while (total < text.Length)
        {
            total += (await client.ReceiveAsync(received.AsMemory(total), cts.Token)).Count;
        }
        Assert.That(received, Is.EqualTo(text));
    }
}
