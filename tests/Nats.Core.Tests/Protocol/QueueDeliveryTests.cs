using Nats.TestSupport;

namespace Nats.Core.Tests.Protocol;

/// <summary>Queue groups: exactly one member per group gets each message; plain subscribers get all.</summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class QueueDeliveryTests
{
    private const int Messages = 300;

    [Test]
    public async Task EachMessageGoesToExactlyOneMemberPerGroupAndToEveryPlainSubscriber()
    {
        await using var server = await TestServer.StartAsync();
        var members = new List<(RawClient Client, string Group)>();
        foreach (var group in new[] { "q1", "q1", "q1", "q2", "q2" })
        {
            var member = await server.ConnectAsync();
            await member.SendAsync($"SUB work {group} 1\r\n");
            await member.PingAsync();
            members.Add((member, group));
        }
        var plain = new List<RawClient>();
        for (var i = 0; i < 2; i++)
        {
            var p = await server.ConnectAsync();
            await p.SendAsync("SUB work 9\r\n");
            await p.PingAsync();
            plain.Add(p);
        }

        await using var pub = await server.ConnectAsync();
        await pub.SendAsync(string.Concat(Enumerable.Range(0, Messages).Select(i => Wire.Pub("work", i.ToString()))));
        await pub.PingAsync();

        // Everything the publisher sent was routed before its PONG; a PING to each receiver
        // now collects everything it got.
        var received = new Dictionary<RawClient, List<int>>();
        foreach (var client in members.Select(m => m.Client).Concat(plain))
        {
            received[client] = await CollectUntilPongAsync(client);
        }

        foreach (var p in plain)
        {
            Assert.That(received[p], Is.EqualTo(Enumerable.Range(0, Messages)), "a plain subscriber gets every message, in order");
        }
        foreach (var group in new[] { "q1", "q2" })
        {
            var inGroup = members.Where(m => m.Group == group).Select(m => received[m.Client]).ToList();
            var all = inGroup.SelectMany(r => r).OrderBy(n => n).ToList();
            Assert.That(all, Is.EqualTo(Enumerable.Range(0, Messages)), $"group {group}: each message exactly once");
            Assert.That(inGroup, Has.All.Not.Empty, $"group {group}: the load is spread over every member");
        }

        foreach (var client in received.Keys)
        {
            await client.DisposeAsync();
        }
    }

    [Test]
    public async Task AMemberLeavingHandsItsShareToTheOthers()
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await server.ConnectAsync();
        await using var b = await server.ConnectAsync();
        await a.SendAsync("SUB work q 1\r\n");
        await a.PingAsync();
        await b.SendAsync("SUB work q 1\r\n");
        await b.PingAsync();
        await a.SendAsync("UNSUB 1\r\n");
        await a.PingAsync();

        await using var pub = await server.ConnectAsync();
        await pub.SendAsync(string.Concat(Enumerable.Range(0, 50).Select(i => Wire.Pub("work", i.ToString()))));
        await pub.PingAsync();
        Assert.That(await CollectUntilPongAsync(b), Is.EqualTo(Enumerable.Range(0, 50)));
        Assert.That(await CollectUntilPongAsync(a), Is.Empty);
    }

    [Test]
    public async Task AClosedMemberNoLongerReceives()
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await server.ConnectAsync();
        await using var b = await server.ConnectAsync();
        await a.SendAsync("SUB work q 1\r\n");
        await a.PingAsync();
        await b.SendAsync("SUB work q 1\r\n");
        await b.PingAsync();
        await a.DisposeAsync();
        await TestServer.WaitUntilAsync(() => server.Server.Clients.Count == 1, "the server to notice the close");

        await using var pub = await server.ConnectAsync();
        await pub.SendAsync(string.Concat(Enumerable.Range(0, 50).Select(i => Wire.Pub("work", i.ToString()))));
        await pub.PingAsync();
        Assert.That(await CollectUntilPongAsync(b), Is.EqualTo(Enumerable.Range(0, 50)));
    }

    [Test]
    public async Task EchoOffPublisherInTheGroupLeavesMessagesToOtherMembers()
    {
        await using var server = await TestServer.StartAsync();
        await using var self = await server.ConnectAsync("{\"verbose\":false,\"echo\":false}");
        await using var other = await server.ConnectAsync();
        await self.SendAsync("SUB work q 1\r\n");
        await self.PingAsync();
        await other.SendAsync("SUB work q 1\r\n");
        await other.PingAsync();

        await self.SendAsync(string.Concat(Enumerable.Range(0, 50).Select(i => Wire.Pub("work", i.ToString()))));
        await self.PingAsync(); // PONG first: nothing was delivered back to the publisher
        Assert.That(await CollectUntilPongAsync(other), Is.EqualTo(Enumerable.Range(0, 50)));
    }

    [Test]
    public async Task QueueMembersWithWildcardsShareOneGroup()
    {
        await using var server = await TestServer.StartAsync();
        await using var a = await server.ConnectAsync();
        await using var b = await server.ConnectAsync();
        await a.SendAsync("SUB work.* q 1\r\n");
        await a.PingAsync();
        await b.SendAsync("SUB work.> q 1\r\n");
        await b.PingAsync();
        await using var pub = await server.ConnectAsync();
        await pub.SendAsync(string.Concat(Enumerable.Range(0, 40).Select(i => Wire.Pub("work.x", i.ToString()))));
        await pub.PingAsync();
        var got = (await CollectUntilPongAsync(a)).Concat(await CollectUntilPongAsync(b)).OrderBy(n => n);
        // nats-server groups queue members by name across every matching subject: one of
        // the two gets each message (checked against nats-server 2.9.10).
        Assert.That(got, Is.EqualTo(Enumerable.Range(0, 40)));
    }

    /// <summary>Sends PING and returns the integer payloads of every MSG received before the PONG.</summary>
    internal static async Task<List<int>> CollectUntilPongAsync(RawClient client)
    {
        await client.SendAsync("PING\r\n");
        var payloads = new List<int>();
        while (true)
        {
            var frame = await client.ReadFrameAsync();
            if (frame.Line == "PONG")
            {
                return payloads;
            }
            Assert.That(frame.IsMessage, Is.True, frame.Line);
            payloads.Add(int.Parse(frame.PayloadText));
        }
    }
}
