using NATS.Client.Core;
using Nats.Core.Connections;
using Nats.TestSupport;

namespace Nats.Gateway.Tests;

/// <summary>Implicit remotes and gossip, three clusters without loops, a cut gateway, clusters of two servers.</summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class TopologyTests
{
    [Test]
    public async Task A_cluster_learns_implicit_remotes_from_inbound_connections_and_gossip()
    {
        // A lists B; C lists only A. C dials A, A dials C back (implicit) and gossips B to C,
        // C dials B, and B dials C back: a full mesh nobody configured.
        var ports = FreePorts.Take(3);
        await using var a = await OurServer.StartAsync("a1", Gateways.Block("A", ports[0], ("B", ports[1])));
        await using var b = await OurServer.StartAsync("b1", Gateways.Block("B", ports[1]));
        await using var c = await OurServer.StartAsync("c1", Gateways.Block("C", ports[2], ("A", ports[0])));
        await a.WaitForGatewayAsync("B");
        await a.WaitForGatewayAsync("C");
        await c.WaitForGatewayAsync("B");
        await b.WaitForGatewayAsync("C");
        Assert.That(b.Manager.Remotes().Single(r => r.Name == "C").IsImplicit, Is.True);
        Assert.That(c.Manager.Remotes().Single(r => r.Name == "B").IsImplicit, Is.True);

        await using var onB = await Gateways.ConnectAsync(b.ClientUrl);
        await using var onC = await Gateways.ConnectAsync(c.ClientUrl);
        await using var sub = await onC.SubscribeCoreAsync<string>("b.to.c");
        await Gateways.WaitForInterestAsync(onB, sub, "b.to.c");
    }

    [Test]
    public async Task Three_clusters_deliver_each_message_once()
    {
        var ports = FreePorts.Take(3);
        var all = new[] { ("A", ports[0]), ("B", ports[1]), ("C", ports[2]) };
        await using var a = await OurServer.StartAsync("a1", Gateways.Block("A", ports[0], all));
        await using var b = await OurServer.StartAsync("b1", Gateways.Block("B", ports[1], all));
        await using var c = await OurServer.StartAsync("c1", Gateways.Block("C", ports[2], all));
        foreach (var (server, others) in new[] { (a, new[] { "B", "C" }), (b, new[] { "A", "C" }), (c, new[] { "A", "B" }) })
        {
            foreach (var other in others)
            {
                await server.WaitForGatewayAsync(other);
            }
        }
        await using var onA = await Gateways.ConnectAsync(a.ClientUrl);
        await using var onB = await Gateways.ConnectAsync(b.ClientUrl);
        await using var onC = await Gateways.ConnectAsync(c.ClientUrl);
        await using var subA = await onA.SubscribeCoreAsync<string>("everywhere");
        await using var subB = await onB.SubscribeCoreAsync<string>("everywhere");
        await using var subC = await onC.SubscribeCoreAsync<string>("everywhere");
        await Gateways.WaitForInterestAsync(onA, subB, "everywhere");
        await Gateways.WaitForInterestAsync(onA, subC, "everywhere");
        await Task.Delay(300);
        while (subA.Msgs.TryRead(out var _a) | subB.Msgs.TryRead(out var _b) | subC.Msgs.TryRead(out var _c))
        {
        }

        for (var i = 0; i < 20; i++)
        {
            await onA.PublishAsync("everywhere", $"m{i}");
        }
        var expected = Enumerable.Range(0, 20).Select(i => $"m{i}").ToList();
        Assert.That(await Gateways.ReadAsync(subA, 20), Is.EqualTo(expected));
        Assert.That(await Gateways.ReadAsync(subB, 20), Is.EqualTo(expected));
        Assert.That(await Gateways.ReadAsync(subC, 20), Is.EqualTo(expected));
        await Task.Delay(500);
        Assert.That(subA.Msgs.TryRead(out var extraA) || subB.Msgs.TryRead(out var extraB) || subC.Msgs.TryRead(out var extraC), Is.False,
            "no copy looped back through a third cluster");
    }

    [Test]
    public async Task A_cut_gateway_reconnects_and_traffic_resumes()
    {
        await using var pair = await GatewayPair.StartAsync();
        var (a, b) = (pair.A, pair.B);
        var (outbound, inbound) = a.Manager.Connections();
        foreach (var connection in outbound.Concat(inbound))
        {
            connection.Close(ClosedReason.ReadError);
        }
        await Eventually.TrueAsync(() => a.Manager.Connections().Outbound.All(c => !outbound.Contains(c)) && a.Manager.Connections().Outbound.Count == 1,
            "a new outbound connection", TimeSpan.FromSeconds(15));
        await a.WaitForGatewayAsync("B");

        await using var onA = await Gateways.ConnectAsync(a.ClientUrl);
        await using var onB = await Gateways.ConnectAsync(b.ClientUrl);
        await using var sub = await onB.SubscribeCoreAsync<string>("after.cut");
        await Gateways.WaitForInterestAsync(onA, sub, "after.cut");
        await onA.PublishAsync("after.cut", "again");
        Assert.That(await Gateways.ReadAsync(sub, 1), Is.EqualTo(new[] { "again" }));
    }

    [Test]
    public async Task A_cluster_of_two_servers_reaches_the_other_cluster_from_both()
    {
        var ports = FreePorts.Take(4);
        var gateways = new[] { ("A", ports[0]), ("B", ports[2]) };
        var routeA = ports[3];
        await using var a1 = await OurServer.StartAsync("a1", Gateways.Block("A", ports[0], gateways), $"cluster {{ name: A, host: 127.0.0.1, port: {routeA} }}");
        await using var a2 = await OurServer.StartAsync("a2", Gateways.Block("A", ports[1], gateways),
            $"cluster {{ name: A, host: 127.0.0.1, port: -1, routes: [\"nats-route://127.0.0.1:{routeA}\"] }}");
        await using var b = await OurServer.StartAsync("b1", Gateways.Block("B", ports[2], gateways));
        await Eventually.TrueAsync(() => a1.Server.Routes?.Routes.Count > 0, "a1-a2 route");
        // Each server of A dials B; B dials one server of A (the URLs it knows, at random).
        await Eventually.TrueAsync(() => a1.Manager.Connections().Outbound.Count == 1 && a2.Manager.Connections().Outbound.Count == 1,
            "both servers of A have their outbound to B", TimeSpan.FromSeconds(15));
        await Eventually.TrueAsync(() => b.Manager.Connections() is { Outbound.Count: 1, Inbound.Count: 2 }, "B connected to A", TimeSpan.FromSeconds(15));

        await using var onA1 = await Gateways.ConnectAsync(a1.ClientUrl);
        await using var onA2 = await Gateways.ConnectAsync(a2.ClientUrl);
        await using var onB = await Gateways.ConnectAsync(b.ClientUrl);
        await using var subB = await onB.SubscribeCoreAsync<string>("from.a");
        await using var subA2 = await onA2.SubscribeCoreAsync<string>("from.b");
        await Gateways.WaitForInterestAsync(onA1, subB, "from.a");
        await Gateways.WaitForInterestAsync(onA2, subB, "from.a");
        await Gateways.WaitForInterestAsync(onB, subA2, "from.b");

        for (var i = 0; i < 10; i++)
        {
            await onA1.PublishAsync("from.a", $"one{i}");
            await onA2.PublishAsync("from.a", $"two{i}");
            await onB.PublishAsync("from.b", $"b{i}");
        }
        var atB = await Gateways.ReadAsync(subB, 20);
        Assert.That(atB.Where(m => m.StartsWith("one")), Is.EqualTo(Enumerable.Range(0, 10).Select(i => $"one{i}")));
        Assert.That(atB.Where(m => m.StartsWith("two")), Is.EqualTo(Enumerable.Range(0, 10).Select(i => $"two{i}")));
        Assert.That(await Gateways.ReadAsync(subA2, 10), Is.EqualTo(Enumerable.Range(0, 10).Select(i => $"b{i}")));
        await Task.Delay(300);
        Assert.That(subB.Msgs.TryRead(out var extraB) || subA2.Msgs.TryRead(out var extraA2), Is.False, "each message once");
    }
}
