using System.Text;
using Nats.Core.Accounts;
using Nats.Core.Config;
using Nats.Core.Subjects;

namespace Nats.Core.Tests.Routing;

/// <summary>
/// The one link model: the router's loop rules per <see cref="LinkKind"/>, queue tiers,
/// links declining, and link-learned interest reaching observers.
/// </summary>
[TestFixture]
public sealed class MessageRouterTests
{
    private NatsServer _server = null!;
    private Account _account = null!;

    [SetUp]
    public void CreateServer()
    {
        _server = new NatsServer(new ServerOptions { Port = -1 });
        _account = _server.Accounts.Global;
    }

    [TearDown]
    public async Task DisposeServer() => await _server.DisposeAsync();

    private sealed class FakeLink(LinkKind kind, bool accepts = true) : ILinkSink
    {
        public List<string> Forwarded { get; } = [];

        public LinkKind Kind { get; } = kind;

        public bool Forward(Account account, in MessageView message, ReadOnlySpan<byte[]> queues)
        {
            var names = new List<string>();
            foreach (var q in queues)
            {
                names.Add(Encoding.UTF8.GetString(q));
            }
            Forwarded.Add(Encoding.UTF8.GetString(message.Subject) + (names.Count == 0 ? "" : " " + string.Join(",", names)));
            return accepts;
        }

        public bool Deliver(Subscription subscription, in MessageView message) => Forward((Account)subscription.Owner!, message, []);
    }

    private sealed class LocalSink : IMessageSink
    {
        public int Count;

        public bool Deliver(Subscription subscription, in MessageView message)
        {
            Count++;
            return true;
        }
    }

    private sealed class LocalOnlySink : ILocalOnlySink
    {
        public int Count;

        public bool Deliver(Subscription subscription, in MessageView message)
        {
            Count++;
            return true;
        }
    }

    private sealed class Observer : IInterestObserver
    {
        public List<string> Events { get; } = [];

        public void OnSubscriptionAdded(Account account, Subscription subscription) => Events.Add("+" + subscription.SubjectString);

        public void OnSubscriptionRemoved(Account account, Subscription subscription) => Events.Add("-" + subscription.SubjectString);
    }

    private Subscription Subscribe(IMessageSink sink, string subject = "foo", string? queue = null)
    {
        var sub = new Subscription(Encoding.UTF8.GetBytes(subject), queue is null ? null : Encoding.UTF8.GetBytes(queue), sink) { Owner = _account };
        _server.Router.AddSubscription(_account, sub);
        return sub;
    }

    private bool Publish(in MessageOrigin origin, string subject = "foo") =>
        _server.Router.Publish(_account, new MessageView(Encoding.UTF8.GetBytes(subject), default, default, "x"u8), origin);

    [Test]
    public void ARouteMessageReachesLocalClientsAndLeafsButNoRouteNorGateway()
    {
        var from = new FakeLink(LinkKind.Route);
        var otherRoute = new FakeLink(LinkKind.Route);
        var leaf = new FakeLink(LinkKind.Leaf);
        var gateway = new FakeLink(LinkKind.Gateway);
        var local = new LocalSink();
        Subscribe(otherRoute);
        Subscribe(leaf);
        Subscribe(gateway);
        Subscribe(local);

        Assert.That(Publish(MessageOrigin.FromLink(from)), Is.True);
        Assert.That(local.Count, Is.EqualTo(1));
        Assert.That(otherRoute.Forwarded, Is.Empty);
        Assert.That(leaf.Forwarded, Is.EqualTo(new[] { "foo" }));
        // nats-server: routed messages never go to gateways (the publishing server sent it there).
        Assert.That(gateway.Forwarded, Is.Empty);
    }

    [Test]
    public void ALeafMessageNeverGoesBackToTheSameLeafAndAGatewayMessageToNoGateway()
    {
        var leaf = new FakeLink(LinkKind.Leaf);
        var otherLeaf = new FakeLink(LinkKind.Leaf);
        var gateway = new FakeLink(LinkKind.Gateway);
        var otherGateway = new FakeLink(LinkKind.Gateway);
        var route = new FakeLink(LinkKind.Route);
        foreach (var link in new[] { leaf, otherLeaf, gateway, otherGateway, route })
        {
            Subscribe(link);
        }

        Publish(MessageOrigin.FromLink(leaf));
        Assert.That(leaf.Forwarded, Is.Empty);
        Assert.That(otherLeaf.Forwarded, Has.Count.EqualTo(1));
        Assert.That(route.Forwarded, Has.Count.EqualTo(1), "a leaf's message goes to routes");

        Assert.That(otherGateway.Forwarded, Has.Count.EqualTo(1), "a leaf's message goes to gateways");
        Publish(MessageOrigin.FromLink(gateway));
        Assert.That(gateway.Forwarded.Count + otherGateway.Forwarded.Count, Is.EqualTo(2), "nothing more to any gateway");
        Assert.That(route.Forwarded, Has.Count.EqualTo(2));
    }

    [Test]
    public void AQueueGroupPrefersLocalMembersThenLeafsThenGateways()
    {
        var gateway = new FakeLink(LinkKind.Gateway);
        var leaf = new FakeLink(LinkKind.Leaf);
        var local = new LocalSink();
        Subscribe(gateway, queue: "q");
        Subscribe(leaf, queue: "q");
        var localSub = Subscribe(local, queue: "q");
        for (var i = 0; i < 50; i++)
        {
            Publish(MessageOrigin.Internal);
        }
        Assert.That(local.Count, Is.EqualTo(50));
        Assert.That(leaf.Forwarded.Concat(gateway.Forwarded), Is.Empty);

        _server.Router.RemoveSubscription(_account, localSub);
        Publish(MessageOrigin.Internal);
        Assert.That(leaf.Forwarded, Is.EqualTo(new[] { "foo q" }));
        Assert.That(gateway.Forwarded, Is.Empty);
    }

    [Test]
    public void ARouteMessageForAQueueGoesToALocalMemberOnlyWhenTheSenderNamedTheGroup()
    {
        var from = new FakeLink(LinkKind.Route);
        var local = new LocalSink();
        Subscribe(local, queue: "q");
        Publish(MessageOrigin.FromLink(from, "other"u8));
        Assert.That(local.Count, Is.Zero);
        Publish(MessageOrigin.FromLink(from, "other q"u8));
        Assert.That(local.Count, Is.EqualTo(1));
    }

    [Test]
    public void AMessageOnlyALinkDeclinedCountsAsNotDelivered()
    {
        var declining = new FakeLink(LinkKind.Route, accepts: false);
        Subscribe(declining);
        Assert.That(Publish(MessageOrigin.Internal), Is.False, "no responders stays right");
        Assert.That(declining.Forwarded, Has.Count.EqualTo(1));
    }

    [Test]
    public void ClientsWithoutEchoDoNotGetTheirOwnMessages()
    {
        var publisher = new LocalSink();
        Subscribe(publisher);
        Publish(MessageOrigin.FromClient(publisher, echo: false));
        Assert.That(publisher.Count, Is.Zero);
        Publish(MessageOrigin.FromClient(publisher, echo: true));
        Assert.That(publisher.Count, Is.EqualTo(1));
    }

    [Test]
    public void InterestLearnedOverALinkReachesObserversAndLeavesInOneBatch()
    {
        var observer = new Observer();
        _server.AddInterestObserver(observer);
        var leaf = new FakeLink(LinkKind.Leaf);
        var a = Subscribe(leaf, "a");
        var b = Subscribe(leaf, "b");
        Assert.That(MessageRouter.InterestOrigin(a), Is.SameAs(LinkKind.Leaf));
        _server.Router.RemoveSubscriptions(_account, [a, b]);
        Assert.That(observer.Events, Is.EqualTo(new[] { "+a", "+b", "-a", "-b" }));
        Assert.That(a.IsClosed && b.IsClosed, Is.True);
        Assert.That(Publish(MessageOrigin.Internal, "a"), Is.False);
    }

    [Test]
    public void APluginRegistersItsOwnLinkKindWithItsPolicy()
    {
        var bridge = LinkKind.Register("test-bridge", 3, origin => origin is null);
        Assert.That(LinkKind.Register("test-bridge", 0, _ => true), Is.SameAs(bridge));
        var link = new FakeLink(bridge);
        Subscribe(link);
        Publish(MessageOrigin.FromLink(new FakeLink(LinkKind.Route)));
        Assert.That(link.Forwarded, Is.Empty);
        Publish(MessageOrigin.Internal);
        Assert.That(link.Forwarded, Has.Count.EqualTo(1));
    }

    [Test]
    public void LocalOnlySinksGetLocalAndLeafMessagesButNoneFromRoutesOrGateways()
    {
        var direct = new LocalOnlySink();
        var queued = new LocalOnlySink();
        Subscribe(direct);
        Subscribe(queued, queue: "q");

        Assert.That(Publish(MessageOrigin.FromLink(new FakeLink(LinkKind.Route), "q"u8)), Is.False);
        Assert.That(Publish(MessageOrigin.FromLink(new FakeLink(LinkKind.Gateway), "q"u8)), Is.False);
        Assert.That((direct.Count, queued.Count), Is.EqualTo((0, 0)), "the sending server's own copies handled it");

        // nats-server treats a leaf as a client of the account: its messages reach imports and JetStream.
        Assert.That(Publish(MessageOrigin.FromLink(new FakeLink(LinkKind.Leaf), "q"u8)), Is.True);
        Assert.That((direct.Count, queued.Count), Is.EqualTo((1, 1)));
        Publish(MessageOrigin.Internal);
        Assert.That((direct.Count, queued.Count), Is.EqualTo((2, 2)));

        var bridge = LinkKind.Register("test-local-bridge", 3, _ => true, reachesLocalOnlySinks: true);
        Assert.That((bridge.ReachesLocalOnlySinks, LinkKind.Route.ReachesLocalOnlySinks, LinkKind.Gateway.ReachesLocalOnlySinks), Is.EqualTo((true, false, false)));
        Publish(MessageOrigin.FromLink(new FakeLink(bridge), "q"u8));
        Assert.That((direct.Count, queued.Count), Is.EqualTo((3, 3)));
    }

    private sealed class SubjectSink : IMessageSink
    {
        public List<string> Subjects { get; } = [];

        public bool Deliver(Subscription subscription, in MessageView message)
        {
            Subjects.Add(Encoding.UTF8.GetString(message.Subject));
            return true;
        }
    }

    [Test]
    public void PublishToReachesTheDeliverSubjectsSubscribersShowingTheMessageSubject()
    {
        var local = new SubjectSink();
        var bystander = new SubjectSink();
        var route = new FakeLink(LinkKind.Route);
        Subscribe(local, "deliver.here");
        Subscribe(bystander, "orders.>");
        Subscribe(route, "deliver.>");

        var taken = _server.Router.PublishTo(_account, "deliver.here"u8,
            new MessageView("orders.1"u8, "$JS.ACK.x"u8, default, "x"u8), MessageOrigin.Internal);

        Assert.That(taken, Is.True);
        Assert.That(local.Subjects, Is.EqualTo(new[] { "orders.1" }), "local subscribers see the stored subject");
        Assert.That(bystander.Subjects, Is.Empty, "subscribers of the message's own subject get nothing");
        Assert.That(route.Forwarded, Is.EqualTo(new[] { "deliver.here" }), "links get the subject their peer routes on");
        Assert.That(_server.Router.PublishTo(_account, "nobody"u8, new MessageView("orders.1"u8, default, default, "x"u8), MessageOrigin.Internal), Is.False);
    }

    /// <summary>A sink that passes messages on by subject, as a stream import does: it overrides DeliverRouted.</summary>
    private sealed class RoutedSink : IMessageSink
    {
        public List<string> Calls { get; } = [];

        public bool Deliver(Subscription subscription, in MessageView message)
        {
            Calls.Add("deliver " + Encoding.UTF8.GetString(message.Subject));
            return true;
        }

        public bool DeliverRouted(Subscription subscription, in MessageView message, ReadOnlySpan<byte> routedSubject)
        {
            Calls.Add($"routed {Encoding.UTF8.GetString(message.Subject)} on {Encoding.UTF8.GetString(routedSubject)}");
            return true;
        }
    }

    [Test]
    public void ARoutedDeliveryGivesSinksTheRoutedSubjectThroughTheSinkInterface()
    {
        var routed = new RoutedSink();
        var plain = new SubjectSink();
        Subscribe(routed, "deliver.>");
        Subscribe(plain, "deliver.here");

        Assert.That(_server.Router.PublishTo(_account, "deliver.here"u8,
            new MessageView("orders.1"u8, default, default, "x"u8), MessageOrigin.Internal), Is.True);
        Assert.That(Publish(MessageOrigin.Internal, "deliver.other"), Is.True);

        Assert.That(routed.Calls, Is.EqualTo(new[] { "routed orders.1 on deliver.here", "deliver deliver.other" }),
            "a routed delivery comes through DeliverRouted with the routed subject, a plain publish through Deliver");
        Assert.That(plain.Subjects, Is.EqualTo(new[] { "orders.1" }), "the default DeliverRouted delivers as Deliver does");
    }

    /// <summary>Records subject and reply of what it gets, directly or forwarded as a link.</summary>
    private sealed class ReplySink(LinkKind? kind = null) : ILinkSink
    {
        public List<string> Seen { get; } = [];

        public LinkKind Kind { get; } = kind ?? LinkKind.Leaf;

        public bool Forward(Account account, in MessageView message, ReadOnlySpan<byte[]> queues)
        {
            Seen.Add(Encoding.UTF8.GetString(message.Subject) + " " + Encoding.UTF8.GetString(message.Reply));
            return true;
        }

        public bool Deliver(Subscription subscription, in MessageView message) => Forward((Account)subscription.Owner!, message, []);
    }

    private sealed class LocalReplySink : IMessageSink
    {
        public List<string> Seen { get; } = [];

        public bool Deliver(Subscription subscription, in MessageView message)
        {
            Seen.Add(Encoding.UTF8.GetString(message.Subject) + " " + Encoding.UTF8.GetString(message.Reply));
            return true;
        }
    }

    /// <summary>
    /// nats-server carries a JetStream delivery's shown subject over links at the end of the
    /// reply (<c>reply@subject</c>) and the receiving server takes it apart for its clients;
    /// only <c>$JS.ACK.</c> replies are taken apart, and only from links.
    /// </summary>
    [Test]
    public void ARoutedDeliveryCarriesItsShownSubjectInTheReplyOverLinks()
    {
        var leaf = new ReplySink(LinkKind.Leaf);
        Subscribe(leaf, "_INBOX.>");
        _server.Router.PublishTo(_account, "_INBOX.1"u8, new MessageView("orders.1"u8, "$JS.ACK.S.C.1"u8, default, "x"u8), MessageOrigin.Internal);
        _server.Router.PublishTo(_account, "_INBOX.1"u8, new MessageView("orders.1"u8, default, default, "x"u8), MessageOrigin.Internal);
        Assert.That(leaf.Seen, Is.EqualTo(new[] { "_INBOX.1 $JS.ACK.S.C.1@orders.1", "_INBOX.1 " }));

        var local = new LocalReplySink();
        var other = new ReplySink(LinkKind.Route);
        Subscribe(local, "_INBOX.2");
        Subscribe(other, "_INBOX.2");
        var from = new ReplySink(LinkKind.Leaf);
        _server.Router.Publish(_account, new MessageView("_INBOX.2"u8, "$JS.ACK.S.C.2@orders.2"u8, default, "x"u8), MessageOrigin.FromLink(from));
        _server.Router.Publish(_account, new MessageView("_INBOX.2"u8, "reply@not.js"u8, default, "x"u8), MessageOrigin.FromLink(from));
        _server.Router.Publish(_account, new MessageView("_INBOX.2"u8, "$JS.ACK.S.C.3@orders.3"u8, default, "x"u8), MessageOrigin.Internal);
        Assert.That(local.Seen, Is.EqualTo(new[] { "orders.2 $JS.ACK.S.C.2", "_INBOX.2 reply@not.js", "_INBOX.2 $JS.ACK.S.C.3@orders.3" }));
        Assert.That(other.Seen, Is.EqualTo(new[] { "_INBOX.2 $JS.ACK.S.C.2@orders.2", "_INBOX.2 reply@not.js", "_INBOX.2 $JS.ACK.S.C.3@orders.3" }),
            "a link further on gets the reply as it came");
    }
}
