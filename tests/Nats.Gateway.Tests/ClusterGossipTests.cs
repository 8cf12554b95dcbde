using NATS.Client.Core;
using Nats.TestSupport;

namespace Nats.Gateway.Tests;

/// <summary>
/// Gateway URLs gossiped inside a cluster over the routes (route INFO <c>gateway_url</c>, the
/// <c>gateway_cmd</c> 1 flood): only one member of cluster A is named by cluster B, yet every
/// member of A dials B and B learns every member of A, with our servers and nats-server's mixed.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class ClusterGossipTests
{
    [Test]
    public async Task A_member_no_one_names_dials_the_remote_and_is_advertised_to_it()
    {
        var ports = FreePorts.Take(3);
        var routeA = FreePorts.Take(1)[0];
        await using var a1 = await OurServer.StartAsync("a1", Gateways.Block("A", ports[0]), $"cluster {{ name: A, host: 127.0.0.1, port: {routeA} }}");
        await using var a2 = await OurServer.StartAsync("a2", Gateways.Block("A", ports[1]),
            $"cluster {{ name: A, host: 127.0.0.1, port: -1, routes: [\"nats-route://127.0.0.1:{routeA}\"] }}");
        await Eventually.TrueAsync(() => a1.Server.Routes!.Routes.Count == 1 && a2.Server.Routes!.Routes.Count == 1, "A's routes up");
        await using var b = await OurServer.StartAsync("b1", Gateways.Block("B", ports[2], ("A", ports[0])));

        // a2 is named by no one: it learns B from a1's flood and dials it (B keeps its one outbound to a1).
        await a1.WaitForGatewayAsync("B");
        await WaitForOutboundAsync(a2, "B");
        await Eventually.TrueAsync(() => b.Manager.Connections().Inbound.Count(c => c.RemoteName == "A") == 2, "B has inbound connections from a1 and a2");
        Assert.That(b.Manager.Remotes().Single(r => r.Name == "A").UrlStrings(), Does.Contain($"127.0.0.1:{ports[1]}"),
            "B heard a2's gateway URL through a1's gateway_urls");
        Assert.That(a1.Manager.ClusterUrls(), Is.EquivalentTo(new[] { $"127.0.0.1:{ports[0]}", $"127.0.0.1:{ports[1]}" }));

        // A message published on a2 reaches B over a2's own gateway (routed messages never go to gateways).
        await using var onA2 = await Gateways.ConnectAsync(a2.ClientUrl);
        await using var onB = await Gateways.ConnectAsync(b.ClientUrl);
        await using var sub = await onB.SubscribeCoreAsync<string>("from.a2");
        await Gateways.WaitForInterestAsync(onA2, sub, "from.a2");
        for (var i = 0; i < 20; i++)
        {
            await onA2.PublishAsync("from.a2", $"m{i}");
        }
        Assert.That(await Gateways.ReadAsync(sub, 20), Is.EqualTo(Enumerable.Range(0, 20).Select(i => $"m{i}")));
    }

    [Test]
    public async Task A_member_leaving_is_withdrawn_from_the_advertised_urls()
    {
        var ports = FreePorts.Take(2);
        var routeA = FreePorts.Take(1)[0];
        await using var a1 = await OurServer.StartAsync("a1", Gateways.Block("A", ports[0]), $"cluster {{ name: A, host: 127.0.0.1, port: {routeA} }}");
        var a2 = await OurServer.StartAsync("a2", Gateways.Block("A", ports[1]),
            $"cluster {{ name: A, host: 127.0.0.1, port: -1, routes: [\"nats-route://127.0.0.1:{routeA}\"] }}");
        await Eventually.TrueAsync(() => a1.Manager.ClusterUrls().Count == 2, "a1 knows a2's gateway URL");
        await a2.DisposeAsync();
        await Eventually.TrueAsync(() => a1.Manager.ClusterUrls().Count == 1, "a2's URL withdrawn once its route closed");
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Mixed_cluster_with_nats_server_gossips_both_ways(bool oursIsNamed)
    {
        ReferenceServer.RequireInstalled();
        // Cluster A: one of ours and one nats-server, routed. Cluster B (ours) names only one of them.
        var ports = FreePorts.Take(5);
        int gwOurs = ports[0], gwGo = ports[1], gwB = ports[2], routeGo = ports[3], clientGo = ports[4];
        var goConfig = $"server_name: go-a\nlisten: 127.0.0.1:{clientGo}\n" +
            $"cluster {{ name: A, listen: \"127.0.0.1:{routeGo}\" }}\n" +
            $"gateway {{ name: A, listen: \"127.0.0.1:{gwGo}\" }}\n";
        await using var theirs = await ReferenceServer.StartAsync(goConfig, clientGo);
        await using var ours = await OurServer.StartAsync("ours-a", Gateways.Block("A", gwOurs),
            $"cluster {{ name: A, host: 127.0.0.1, port: -1, routes: [\"nats-route://127.0.0.1:{routeGo}\"] }}");
        await Eventually.TrueAsync(() => ours.Server.Routes!.Routes.Count == 1, "routed to nats-server");
        await Eventually.TrueAsync(() => ours.Manager.ClusterUrls().Contains($"127.0.0.1:{gwGo}"), "nats-server's route INFO gateway_url read");

        await using var b = await OurServer.StartAsync("b1", Gateways.Block("B", gwB, ("A", oursIsNamed ? gwOurs : gwGo)));
        // Both members of A end up with an outbound connection to B, whichever B named.
        await Eventually.TrueAsync(() =>
        {
            var inbound = b.Manager.Connections().Inbound;
            return inbound.Count(c => c.RemoteName == "A") == 2;
        }, "both A members dialled B", TimeSpan.FromSeconds(20));
        await WaitForOutboundAsync(ours, "B");
        // B learned the other member's URL from the gateway_urls of the one it dialled.
        Assert.That(b.Manager.Remotes().Single(r => r.Name == "A").UrlStrings(),
            Is.SupersetOf(new[] { $"127.0.0.1:{gwOurs}", $"127.0.0.1:{gwGo}" }));

        // Messages published on either A member reach B.
        await using var onB = await Gateways.ConnectAsync(b.ClientUrl);
        await using var onOurs = await Gateways.ConnectAsync(ours.ClientUrl);
        await using var onGo = await Gateways.ConnectAsync($"nats://127.0.0.1:{clientGo}");
        await using var sub = await onB.SubscribeCoreAsync<string>("to.b.>");
        await Gateways.WaitForInterestAsync(onOurs, sub, "to.b.ours");
        await Gateways.WaitForInterestAsync(onGo, sub, "to.b.go");
        for (var i = 0; i < 20; i++)
        {
            await onOurs.PublishAsync("to.b.ours", $"o{i}");
            await onGo.PublishAsync("to.b.go", $"g{i}");
        }
        var received = await Gateways.ReadAsync(sub, 40);
        Assert.That(received, Is.EquivalentTo(Enumerable.Range(0, 20).SelectMany(i => new[] { $"o{i}", $"g{i}" })));
    }

    private static Task WaitForOutboundAsync(OurServer server, string remote) =>
        Eventually.TrueAsync(() => server.Manager.Connections().Outbound.Any(c => c.RemoteName == remote),
            $"{server.Server.Name} has an outbound connection to {remote}", TimeSpan.FromSeconds(15));
}
