using Microsoft.Extensions.Logging;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>The leaf side on the wire, against the test as the hub.</summary>
[TestFixture]
[CancelAfter(30_000)]
[NonParallelizable]
public sealed class RawHubTests
{
    internal static async Task<(Socket Socket, string Connect, string After)> AcceptLeafAsync(TcpListener listener, string info, string until)
    {
        var socket = await listener.AcceptSocketAsync();
        await socket.SendAsync(Encoding.ASCII.GetBytes("INFO " + info + "\r\n"));
        var received = new StringBuilder();
        var buffer = new byte[4096];
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline && !received.ToString().Contains(until, StringComparison.Ordinal))
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (n == 0)
                {
                    break;
                }
                received.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
            catch (OperationCanceledException)
            {
            }
        }
        var text = received.ToString();
        var end = text.IndexOf("\r\n", StringComparison.Ordinal);
        return (socket, end < 0 ? text : text[..end], end < 0 ? "" : text[(end + 2)..]);
    }

    [Test]
    public async Task Our_leaf_sends_connect_with_its_credentials_and_signature_then_its_interest()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            await using var leaf = await OurServer.StartAsync($$"""
                server_name: SPOKE
                leafnodes { remotes: [ { url: "nats-leaf://u:p@127.0.0.1:{{port}}", nkey: "{{Interop.Keys.UserSeed}}", deny_imports: ["no.>"] } ] }
                """);
            await using var client = await leaf.ClientAsync();
            await Leaf.SubAsync(client, "mine", "1");
            const string nonce = "abcdefghijklmno";
            var (socket, connect, rest) = await AcceptLeafAsync(listener,
                $$"""{"server_id":"HUB","server_name":"hub","version":"2.9.10","proto":1,"headers":true,"auth_required":true,"max_payload":1048576,"client_id":7,"nonce":"{{nonce}}","leafnode_urls":["127.0.0.1:{{port}}"],"info_on_connect":true}""", until: "\r\n");
            using var _ = socket;
            Assert.That(connect, Does.StartWith("CONNECT {"));
            var json = System.Text.Json.JsonDocument.Parse(connect["CONNECT ".Length..]).RootElement;
            Assert.That((json.GetProperty("user").GetString(), json.GetProperty("pass").GetString(), json.GetProperty("name").GetString()), Is.EqualTo(("u", "p", "SPOKE")));
            Assert.That(json.GetProperty("nkey").GetString(), Is.EqualTo(Interop.Keys.UserPublic));
            Assert.That(json.GetProperty("deny_pub")[0].GetString(), Is.EqualTo("no.>"));
            var sig = json.GetProperty("sig").GetString()!;
            Assert.That(Nats.Core.Security.NonceSignature.Verify(Interop.Keys.UserPublic, Encoding.ASCII.GetBytes(nonce), sig),
                Is.EqualTo(Nats.Core.Security.NonceSignatureResult.Verified), "the seed signs the hub's nonce");
            await Task.Delay(200);
            Assert.That(socket.Available, Is.EqualTo(0), "nothing before the hub's answer");

            await socket.SendAsync(Encoding.ASCII.GetBytes("""INFO {"server_id":"HUB","connect_info":true,"remote_account":"ACC","client_id":7,"leafnode_urls":[]}""" + "\r\n"));
            var lines = await ReadUntilAsync(socket, "LS+ mine");
            Assert.That(lines, Does.Contain("LS+ $LDS."));
        }
        finally
        {
            listener.Stop();
        }
    }

    [Test]
    public async Task With_a_hub_that_does_not_answer_connect_the_link_is_up_once_connect_is_sent()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            await using var leaf = await OurServer.StartAsync($$"""leafnodes { remotes: [ { url: "nats-leaf://127.0.0.1:{{port}}" } ] }""");
            var (socket, connect, rest) = await AcceptLeafAsync(listener,
                $$"""{"server_id":"OLD","version":"2.1.0","proto":1,"headers":false,"max_payload":1048576,"client_id":3,"nonce":"n","leafnode_urls":["127.0.0.1:{{port}}"]}""", until: "LS+ $LDS.");
            using var _ = socket;
            Assert.That(connect, Does.StartWith("CONNECT "));
            Assert.That(rest, Does.Contain("LS+ $LDS."));
            await Leaf.UntilAsync(() => leaf.LeafCount == 1, "registered without connect_info");
        }
        finally
        {
            listener.Stop();
        }
    }

    [Test]
    public async Task A_server_that_is_not_a_leafnode_port_is_refused_as_the_wrong_port()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var logs = new ListLoggerProvider(LogLevel.Information);
            await using var leaf = await OurServer.StartAsync($$"""leafnodes { remotes: [ { url: "nats-leaf://127.0.0.1:{{port}}" } ] }""", logs);
            using var socket = await listener.AcceptSocketAsync();
            await socket.SendAsync("INFO {\"server_id\":\"CLIENTPORT\",\"max_payload\":1048576}\r\n"u8.ToArray());
            await Leaf.UntilAsync(() => logs.Contains("attempted to connect to wrong port"), "the wrong port is logged");
            Assert.That(leaf.LeafCount, Is.EqualTo(0));
        }
        finally
        {
            listener.Stop();
        }
    }

    private static async Task<string> ReadUntilAsync(Socket socket, string needle)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (!received.ToString().Contains(needle, StringComparison.Ordinal))
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (n == 0)
            {
                break;
            }
            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        return received.ToString();
    }
}
