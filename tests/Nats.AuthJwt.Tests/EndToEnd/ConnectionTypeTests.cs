using System.Text;
using System.Text.Json;
using Nats.Leafnode;
using Nats.TestSupport;
using Nats.WebSocket;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// A user JWT's <c>allowed_connection_types</c> over plain TCP, WebSocket and a leaf node
/// connection, and the account JWT's <c>leaf</c> limit, with raw clients on this server (with the
/// WebSocket and Leafnode plugins) and on nats-server 2.9.10 (nats-server's
/// <c>connectionTypeAllowed</c> in <c>processClientOrLeafAuthentication</c>, and
/// <c>registerWithAccount</c>'s <c>MaxTotalLeafNodesReached</c>).
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class ConnectionTypeTests
{
    [Test]
    public async Task Each_transport_admits_only_the_users_whose_jwt_allows_it_and_the_leaf_limit_holds()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        var limited = setup.NewAccount("ONELEAF");
        TestUser Only(string type) => setup.NewUser(account, type.ToLowerInvariant(), u => u.Nats.AllowedConnectionTypes = [type]);
        var users = new (string Name, TestUser User)[]
        {
            ("STANDARD", Only("STANDARD")),
            ("WEBSOCKET", Only("WEBSOCKET")),
            ("LEAFNODE", Only("LEAFNODE")),
            ("any", setup.NewUser(account, "any")),
        };
        var leafUser = setup.NewUser(limited, "leafs");
        var jwts = new[] { setup.AccountJwt(account), setup.AccountJwt(limited, a => a.Nats.Limits.LeafNodeConn = 1) };
        var ports = new Dictionary<int, (int WebSocket, int Leaf)>();

        string Config(int port)
        {
            var taken = FreePorts.Take(2);
            ports[port] = (taken[0], taken[1]);
            return setup.MemoryConfig(port, jwts) + $$"""

                websocket { host: 127.0.0.1, port: {{taken[0]}}, no_tls: true }
                leafnodes { host: 127.0.0.1, port: {{taken[1]}} }
                """;
        }

        async Task<List<string>> Scenario(int port)
        {
            var (ws, leaf) = ports[port];
            var seen = new List<string>();
            foreach (var (name, user) in users)
            {
                var (tcp, first) = await ReferenceParity.LoginAsync(port, user);
                await using (tcp)
                {
                    first = first == "PONG" ? first : first.StartsWith("-ERR", StringComparison.Ordinal) ? first : await OutcomeAsync(tcp);
                }
                seen.Add($"{name}: tcp {first}, websocket {await WebSocketAsync(ws, user)}, leaf {await LeafAsync(leaf, user, "leaf-" + name)}");
            }
            // The account's leaf limit: the first link is registered (PONG read) before the second comes.
            var links = new List<RawClient>();
            try
            {
                foreach (var name in new[] { "one", "two" })
                {
                    var link = await RawClient.ConnectAsync(leaf);
                    link.AnswerPings = true;
                    links.Add(link);
                    await link.SendAsync(leafUser.LeafConnect(link.Info.GetProperty("nonce").GetString()!, name) + "\r\nPING\r\n");
                    seen.Add($"ONELEAF link {name}: {await OutcomeAsync(link)}");
                }
            }
            finally
            {
                foreach (var link in links)
                {
                    await link.DisposeAsync();
                }
            }
            return seen;
        }

        var (ours, reference) = await ReferenceParity.RunAsync(Config, Scenario, () => [new WebSocketPlugin(), new LeafnodePlugin()]);
        const string Refused = "-ERR 'Authorization Violation'";
        Assert.That(ours, Is.EqualTo(new[]
        {
            $"STANDARD: tcp PONG, websocket {Refused}, leaf {Refused}",
            $"WEBSOCKET: tcp {Refused}, websocket PONG, leaf {Refused}",
            $"LEAFNODE: tcp {Refused}, websocket {Refused}, leaf PONG",
            "any: tcp PONG, websocket PONG, leaf PONG",
            "ONELEAF link one: PONG",
            "ONELEAF link two: -ERR 'maximum account active connections exceeded'",
        }));
        if (reference is null)
        {
            Assert.Ignore("nats-server 2.9.10 is not installed: the outcome was not compared with it");
        }
        Assert.That(reference, Is.EqualTo(ours), "nats-server 2.9.10 sees the same");
    }

    /// <summary>A leaf link of <paramref name="user"/>: its CONNECT and PING, and PONG or the error.</summary>
    private static async Task<string> LeafAsync(int port, TestUser user, string name)
    {
        await using var link = await RawClient.ConnectAsync(port);
        link.AnswerPings = true;
        await link.SendAsync(user.LeafConnect(link.Info.GetProperty("nonce").GetString()!, name) + "\r\nPING\r\n");
        return await OutcomeAsync(link);
    }

    /// <summary>A client over WebSocket (binary frames): CONNECT with the INFO's nonce signed, PING, and PONG or the error.</summary>
    private static async Task<string> WebSocketAsync(int port, TestUser user)
    {
        await using var socket = await RawWebSocket.ConnectAsync(port);
        var info = Encoding.UTF8.GetString((await socket.ReadFrameAsync()).Payload);
        var nonce = JsonDocument.Parse(info["INFO ".Length..]).RootElement.GetProperty("nonce").GetString()!;
        await socket.SendBinaryAsync(user.Connect(nonce) + "\r\nPING\r\n");
        var text = new StringBuilder();
        while (true)
        {
            var frame = await socket.ReadFrameAsync();
            if (frame.Opcode == 8)
            {
                return text.Length == 0 ? "closed" : text.ToString().Trim();
            }
            text.Append(Encoding.UTF8.GetString(frame.Payload));
            foreach (var line in text.ToString().Split("\r\n"))
            {
                if (line == "PONG" || line.StartsWith("-ERR", StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
    }

    /// <summary>Reads lines (INFO, LS+…) until PONG or an -ERR.</summary>
    private static async Task<string> OutcomeAsync(RawClient client)
    {
        try
        {
            while (true)
            {
                var line = await client.ReadLineAsync();
                if (line == "PONG" || line.StartsWith("-ERR", StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
        catch (EndOfStreamException)
        {
            return "closed";
        }
    }
}
