using System.Text.RegularExpressions;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>
/// With the system account linked, a server ping from a leaf's client reaches both servers and
/// each answers once, as nats-server 2.9.10 (every server subscribes to <c>$SYS.REQ.SERVER.PING.*</c>).
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class SystemPingOverLeafTests
{
    private const string Accounts = """
        system_account: SYS
        accounts { SYS { users: [ {user: sys, password: sys} ] } }
        """;

    [Test]
    public async Task A_connz_ping_from_a_leaf_client_gets_one_answer_per_server()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync($$"""
            {{Accounts}}
            leafnodes { listen: "127.0.0.1:{{port}}", authorization { users: [ {user: leaf, password: pw, account: SYS} ] } }
            """);
        await using var leaf = await OurServer.StartAsync($$"""
            {{Accounts}}
            leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://leaf:pw@127.0.0.1:{{port}}", account: SYS } ] }
            """);
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the system accounts link");

        await using var client = await leaf.ClientAsync(Leaf.Connect("sys", "sys"));
        await Leaf.SubAsync(client, "pong.inbox", "1");
        await Leaf.UntilAsync(() => hub.HasLeafInterest("pong.inbox", "SYS") && leaf.HasLeafInterest("$SYS.REQ.SERVER.PING.CONNZ", "SYS"),
            "the inbox and the hub's ping handler cross the link");
        await Leaf.RequestAsync(client, "$SYS.REQ.SERVER.PING.CONNZ", "pong.inbox");

        // Both answers within a generous bound, then a quiet window for a third (under load the
        // remote answer alone may take longer than a fixed window).
        var received = await client.ExpectAsync("MSG pong.inbox 1 ", TimeSpan.FromSeconds(20))
            + await client.ExpectAsync("MSG pong.inbox 1 ", TimeSpan.FromSeconds(20))
            + await client.DrainAsync(TimeSpan.FromSeconds(1));
        var answers = Regex.Matches(received, @"^MSG pong\.inbox 1 ", RegexOptions.Multiline).Count;
        Assert.That(answers, Is.EqualTo(2), received);
        Assert.That(received, Does.Contain($"\"name\":\"{hub.Server.Name}\"").And.Contain($"\"name\":\"{leaf.Server.Name}\""));
    }
}
