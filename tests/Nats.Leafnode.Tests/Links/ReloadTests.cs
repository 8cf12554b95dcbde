using Nats.Core.Config;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>Reload as nats-server 2.14: remotes added, removed and disabled live; hub users checked again.</summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class ReloadTests
{
    private static ServerOptions Options(string config) => Leaf.ReloadOptions(config);

    private static string Remotes(params string[] remotes) =>
        "leafnodes { reconnect: 1, remotes: [ " + string.Join(", ", remotes) + " ] }";

    [Test]
    public async Task Remotes_are_added_disabled_and_removed_without_a_restart()
    {
        var ports = FreePorts.Take(2);
        await using var hub1 = await OurServer.StartAsync($$"""leafnodes { listen: "127.0.0.1:{{ports[0]}}" }""");
        await using var hub2 = await OurServer.StartAsync($$"""leafnodes { listen: "127.0.0.1:{{ports[1]}}" }""");
        var first = $$"""{ url: "nats-leaf://127.0.0.1:{{ports[0]}}" }""";
        var second = $$"""{ url: "nats-leaf://127.0.0.1:{{ports[1]}}" }""";
        var secondDisabled = $$"""{ url: "nats-leaf://127.0.0.1:{{ports[1]}}", disabled: true }""";
        await using var leaf = await OurServer.StartAsync(Remotes(first));
        await Leaf.UntilAsync(() => hub1.LeafCount == 1, "the first remote connects");
        var firstLink = hub1.Manager.Connections.Single();

        var added = leaf.Server.Reload(Options(Remotes(first, second)));
        Assert.That(added.Success, Is.True, string.Join("; ", added.Errors));
        await Leaf.UntilAsync(() => hub2.LeafCount == 1 && leaf.LeafCount == 2, "the added remote connects");
        Assert.That(hub1.Manager.Connections.Single(), Is.SameAs(firstLink), "an unchanged remote keeps its link");

        Assert.That(leaf.Server.Reload(Options(Remotes(first, secondDisabled))).Success, Is.True);
        await Leaf.UntilAsync(() => hub2.LeafCount == 0 && leaf.LeafCount == 1, "the disabled remote disconnects");

        Assert.That(leaf.Server.Reload(Options(Remotes(second))).Success, Is.True);
        await Leaf.UntilAsync(() => hub1.LeafCount == 0 && hub2.LeafCount == 1, "the removed one goes, the enabled one comes");
    }

    [Test]
    public async Task The_listener_address_cannot_change_and_the_reload_names_it()
    {
        var ports = FreePorts.Take(2);
        await using var hub = await OurServer.StartAsync($$"""leafnodes { listen: "127.0.0.1:{{ports[0]}}" }""");
        var result = hub.Server.Reload(Options($$"""leafnodes { listen: "127.0.0.1:{{ports[1]}}" }"""));
        Assert.That(result.Success, Is.False);
        Assert.That(string.Join("; ", result.Errors), Does.Contain($"config reload not supported for leafnodes.port: old={ports[0]}, new={ports[1]}"));
    }

    [Test]
    public async Task A_leaf_whose_user_is_removed_is_disconnected_and_cannot_come_back()
    {
        var port = FreePorts.Take();
        string Hub(string users) => $$"""
            accounts { A {} }
            leafnodes { listen: "127.0.0.1:{{port}}", authorization { users: [ {{users}} ] } }
            """;
        await using var hub = await OurServer.StartAsync(Hub("{user: keep, password: k, account: A}, {user: drop, password: d, account: A}"));
        await using var kept = await OurServer.StartAsync(Remotes($$"""{ url: "nats-leaf://keep:k@127.0.0.1:{{port}}" }"""));
        await using var dropped = await OurServer.StartAsync(Remotes($$"""{ url: "nats-leaf://drop:d@127.0.0.1:{{port}}" }"""));
        await Leaf.UntilAsync(() => hub.LeafCount == 2, "both leafs connect");

        var result = hub.Server.Reload(Options(Hub("{user: keep, password: k, account: A}")));
        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && dropped.LeafCount == 0, "the removed user's leaf is disconnected");
        await Task.Delay(1500);
        Assert.That(hub.Manager.Connections.Single().RemoteServerName, Is.EqualTo(kept.Server.Name));
    }
}
