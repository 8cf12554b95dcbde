using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>
/// An import the hub account gains or loses by a config reload reaches the live links bound to
/// it, as nats-server announces an import's subscription to the account's leafs when it is added
/// (<c>addServiceImportSub</c>, <c>addStreamImportSubs</c> through <c>updateLeafNodes</c>).
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class ImportReloadTests
{
    private static string Hub(int port, string imports) => $$"""
        accounts {
          A { users: [ {user: a, password: a} ], exports: [ {service: "svc.>"}, {stream: "feed.>"} ] }
          B { users: [ {user: b, password: b} ], imports: [ {{imports}} ] }
        }
        leafnodes { listen: "127.0.0.1:{{port}}", authorization { users: [ {user: leaf, password: pw, account: B} ] } }
        """;

    private const string ServiceImport = """{service: {account: A, subject: "svc.>"}}""";

    [Test]
    public async Task A_service_import_added_by_reload_reaches_the_leafs_clients_and_leaves_when_removed()
    {
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync(Hub(port, ""));
        await using var leaf = await OurServer.StartAsync($$"""leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://leaf:pw@127.0.0.1:{{port}}" } ] }""");
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");
        Assert.That(leaf.HasLeafInterest("svc.echo"), Is.False, "no import yet");

        var added = hub.Server.Reload(Leaf.ReloadOptions(Hub(port, ServiceImport)));
        Assert.That(added.Success, Is.True, string.Join("; ", added.Errors));
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("svc.echo"), "the hub announces the added import");

        await using var responder = await hub.ClientAsync(Leaf.Connect("a", "a"));
        await Leaf.SubAsync(responder, "svc.>", "1");
        await using var requester = await leaf.ClientAsync();
        await Leaf.SubAsync(requester, "_INBOX.r1", "9");
        await Leaf.UntilAsync(() => hub.HasLeafInterest("_INBOX.r1", "B"), "the inbox reaches the hub");
        await Leaf.PubAsync(requester, "svc.echo", "ping", "_INBOX.r1");
        var request = await responder.ReadMessageAsync();
        Assert.That((request.Subject, request.PayloadText), Is.EqualTo(("svc.echo", "ping")));
        Assert.That(request.Reply, Is.Not.Null, "a request carries the import's reply subject");
        await Leaf.PubAsync(responder, request.Reply!, "pong");
        await requester.ExpectMsgAsync("_INBOX.r1", "9", "pong");

        var removed = hub.Server.Reload(Leaf.ReloadOptions(Hub(port, "")));
        Assert.That(removed.Success, Is.True, string.Join("; ", removed.Errors));
        await Leaf.UntilAsync(() => !leaf.HasLeafInterest("svc.echo"), "the hub withdraws the removed import");
    }

    [Test]
    public async Task A_stream_import_added_by_reload_to_the_exporters_peer_brings_the_leafs_messages()
    {
        // The leaf is bound to A, the exporter: B's new stream import subscribes in A, so A's leaf
        // must send what its clients publish on feed.> to the hub for B's subscribers.
        var port = FreePorts.Take();
        string Config(string imports) => Hub(port, imports).Replace("account: B", "account: A", StringComparison.Ordinal);
        await using var hub = await OurServer.StartAsync(Config(""));
        await using var leaf = await OurServer.StartAsync($$"""leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://leaf:pw@127.0.0.1:{{port}}" } ] }""");
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");
        Assert.That(leaf.HasLeafInterest("feed.x"), Is.False, "no import yet");

        var added = hub.Server.Reload(Leaf.ReloadOptions(Config("""{stream: {account: A, subject: "feed.>"}}""")));
        Assert.That(added.Success, Is.True, string.Join("; ", added.Errors));
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("feed.x"), "the hub announces the import's interest in A");

        await using var subscriber = await hub.ClientAsync(Leaf.Connect("b", "b"));
        await Leaf.SubAsync(subscriber, "feed.>", "1");
        await using var publisher = await leaf.ClientAsync();
        await Leaf.PubAsync(publisher, "feed.x", "hello");
        await subscriber.ExpectMsgAsync("feed.x", "1", "hello");

        var removed = hub.Server.Reload(Leaf.ReloadOptions(Config("")));
        Assert.That(removed.Success, Is.True, string.Join("; ", removed.Errors));
        await Leaf.UntilAsync(() => !leaf.HasLeafInterest("feed.x"), "the hub withdraws the removed import");
    }
}
