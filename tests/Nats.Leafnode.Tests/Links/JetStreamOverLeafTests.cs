using System.Text.RegularExpressions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>
/// A leaf's clients use the hub account's JetStream and imports as nats-server 2.9.10 lets them:
/// stream capture and service imports through the link, the hub's API through its domain, and
/// <c>$JS.API.&gt;</c> never crossing (each side answers its own clients).
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
[NonParallelizable]
public sealed partial class JetStreamOverLeafTests
{
    private static string HubConfig(int leafPort, string storeDir, string jetStreamExtra = "", string auth = "authorization { user: leaf, password: pw }", string extra = "") => $$"""
        {{extra}}
        jetstream { store_dir: "{{storeDir}}"
          {{jetStreamExtra}}
        }
        leafnodes { listen: "127.0.0.1:{{leafPort}}", {{auth}} }
        """;

    private static string LeafConfig(int hubLeafPort, string extra = "") => $$"""
        {{extra}}
        leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://leaf:pw@127.0.0.1:{{hubLeafPort}}" } ] }
        """;

    private static NatsClient Client(OurServer server, string? user = null, string? password = null) => new(new NatsOpts
    {
        Url = $"nats://127.0.0.1:{server.Port}",
        AuthOpts = user is null ? NatsAuthOpts.Default : new NatsAuthOpts { Username = user, Password = password },
        RequestTimeout = TimeSpan.FromSeconds(5),
    });

    [Test]
    public async Task A_leaf_client_publishing_to_a_hub_streams_subjects_is_stored_and_acknowledged()
    {
        using var store = new TempDirectory();
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync(HubConfig(port, store.Path), jetStream: true);
        await using var leaf = await OurServer.StartAsync(LeafConfig(port));
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");

        await using var hubClient = Client(hub);
        var hubJs = hubClient.CreateJetStreamContext();
        await hubJs.CreateStreamAsync(new StreamConfig("ORDERS", ["orders.>"]));
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("orders.1"), "the hub announces the stream's subjects");

        await using var leafClient = Client(leaf);
        var ack = await leafClient.CreateJetStreamContext().PublishAsync("orders.1", "from the leaf");
        ack.EnsureSuccess();
        Assert.That(ack.Stream, Is.EqualTo("ORDERS"));
        var stream = await hubJs.GetStreamAsync("ORDERS");
        Assert.That(stream.Info.State.Messages, Is.EqualTo(1));

        // The API itself does not cross: the leaf has no JetStream, its clients get no answer.
        Assert.That(leaf.HasLeafInterest("$JS.API.INFO"), Is.False, "$JS.API.> is denied on the link");
        Assert.ThrowsAsync<NatsNoRespondersException>(async () => await leafClient.RequestAsync<string, string>("$JS.API.INFO", ""));
    }

    [Test]
    public async Task A_service_import_of_the_hub_account_answers_a_leaf_client()
    {
        using var store = new TempDirectory();
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync(HubConfig(port, store.Path,
            auth: "authorization { users: [ {user: leaf, password: pw, account: B} ] }",
            extra: """
                accounts {
                  A { users: [ {user: a, password: a} ], exports: [ {service: "svc.>"} ] }
                  B { users: [ {user: b, password: b} ], imports: [ {service: {account: A, subject: "svc.>"}} ] }
                }
                """), jetStream: true);
        await using var leaf = await OurServer.StartAsync(LeafConfig(port));
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("svc.echo"), "the hub announces its import");

        await using var responder = Client(hub, "a", "a");
        await using var sub = await responder.Connection.SubscribeCoreAsync<string>("svc.>");
        await responder.PingAsync();
        var answering = Task.Run(async () =>
        {
            await foreach (var msg in sub.Msgs.ReadAllAsync())
            {
                await msg.ReplyAsync("echo: " + msg.Data);
            }
        });

        await using var leafClient = Client(leaf);
        var reply = await leafClient.RequestAsync<string, string>("svc.echo", "hello");
        Assert.That(reply.Data, Is.EqualTo("echo: hello"));
        await sub.UnsubscribeAsync();
        await answering;
    }

    [Test]
    public async Task A_leaf_client_uses_the_hubs_JetStream_through_its_domain()
    {
        using var store = new TempDirectory();
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync(HubConfig(port, store.Path, jetStreamExtra: "domain: hub"), jetStream: true);
        await using var leaf = await OurServer.StartAsync(LeafConfig(port));
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("$JS.hub.API.INFO"), "the hub announces its domain's API");

        await using var leafClient = Client(leaf);
        var js = new NatsJSContext(leafClient.Connection, new NatsJSOpts(leafClient.Connection.Opts, domain: "hub"));
        var info = await js.GetAccountInfoAsync();
        Assert.That(info.Domain, Is.EqualTo("hub"));
        await js.CreateStreamAsync(new StreamConfig("EVENTS", ["events.>"]));
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("events.a"), "the new stream's subjects reach the leaf");
        (await js.PublishAsync("events.a", "one")).EnsureSuccess();
        var consumer = await js.CreateOrUpdateConsumerAsync("EVENTS", new ConsumerConfig("C") { AckPolicy = ConsumerConfigAckPolicy.Explicit });
        var msg = await consumer.NextAsync<string>();
        Assert.That(msg?.Data, Is.EqualTo("one"));
        await msg!.AckAsync();
    }

    /// <summary>
    /// Both sides run JetStream: a leaf client's <c>$JS.API.INFO</c> gets its own server's answer
    /// only (nats-server's deny on the link), and the hub's through the hub's domain.
    /// </summary>
    [Test]
    public async Task A_leaf_with_its_own_JetStream_gets_exactly_one_answer_to_the_API()
    {
        using var hubStore = new TempDirectory();
        using var leafStore = new TempDirectory();
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync(HubConfig(port, hubStore.Path, jetStreamExtra: "domain: hub"), jetStream: true);
        await using var leaf = await OurServer.StartAsync(LeafConfig(port, $$"""jetstream { store_dir: "{{leafStore.Path}}", domain: leaf }"""), jetStream: true);
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");
        await Leaf.UntilAsync(() => leaf.HasLeafInterest("$JS.hub.API.INFO") && hub.HasLeafInterest("$JS.leaf.API.INFO"), "each side announces its domain");
        Assert.That(leaf.HasLeafInterest("$JS.API.INFO") || hub.HasLeafInterest("$JS.API.INFO"), Is.False, "$JS.API.> is denied both ways");

        await using var raw = await leaf.ClientAsync();
        await Leaf.SubAsync(raw, "_INBOX.info", "1");
        await Leaf.UntilAsync(() => hub.HasLeafInterest("_INBOX.info"), "the inbox reaches the hub");
        await raw.SendAsync("PUB $JS.API.INFO _INBOX.info 0\r\n\r\n");
        // The first answer within the client's timeout, then a quiet window for a second (under load the
        // first alone may take longer than a fixed window).
        var answers = await raw.ExpectAsync("MSG _INBOX.info ", TimeSpan.FromSeconds(20)) + await raw.DrainAsync(TimeSpan.FromMilliseconds(800));
        Assert.That(MsgLine().Matches(answers), Has.Count.EqualTo(1), answers);
        Assert.That(answers, Does.Contain("\"domain\":\"leaf\""));

        await raw.SendAsync("PUB $JS.hub.API.INFO _INBOX.info 0\r\n\r\n");
        answers = await raw.ExpectAsync("MSG _INBOX.info ", TimeSpan.FromSeconds(20)) + await raw.DrainAsync(TimeSpan.FromMilliseconds(800));
        Assert.That(MsgLine().Matches(answers), Has.Count.EqualTo(1), answers);
        Assert.That(answers, Does.Contain("\"domain\":\"hub\""));
    }

    [GeneratedRegex(@"^MSG _INBOX\.info ", RegexOptions.Multiline)]
    private static partial Regex MsgLine();
}
