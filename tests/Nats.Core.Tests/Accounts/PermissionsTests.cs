using Nats.Core.Config;
using Nats.TestSupport;
using static Nats.Core.Tests.Auth.AuthSupport;

namespace Nats.Core.Tests.Accounts;

/// <summary>
/// Publish and subscribe permissions, delivery filtering and allow_responses, as nats-server
/// enforces them (texts checked against nats-server 2.9.10).
/// </summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class PermissionsTests : ServerFixture
{
    protected override void Configure(ServerOptions options) => options.Auth = new AuthOptions
    {
        Users =
        [
            new UserConfig
            {
                Username = "p",
                Password = "p",
                Permissions = new PermissionsConfig
                {
                    Publish = new SubjectPermissionConfig { Allow = ["foo.*", "bar.>"], Deny = ["foo.secret"] },
                    Subscribe = new SubjectPermissionConfig { Allow = ["foo.>", "q.* q1", "all.>"], Deny = ["foo.secret", "all.x q9"] },
                },
            },
            new UserConfig
            {
                Username = "svc",
                Password = "svc",
                Permissions = new PermissionsConfig
                {
                    Subscribe = new SubjectPermissionConfig { Allow = ["svc"] },
                    Responses = new ResponsePermissionConfig(),
                },
            },
            new UserConfig
            {
                Username = "svc2",
                Password = "svc2",
                Permissions = new PermissionsConfig
                {
                    Publish = new SubjectPermissionConfig { Allow = ["other"] },
                    Subscribe = new SubjectPermissionConfig { Allow = ["svc"] },
                    Responses = new ResponsePermissionConfig { MaxMessages = 2 },
                },
            },
            new UserConfig { Username = "any", Password = "any" },
        ],
    };

    private Task<RawClient> LoginAsync(string user) => Server.ConnectAsync(Connect(new { user, pass = user }));

    [Test]
    public async Task PublishAllowAndDenyWithWildcards()
    {
        await using var watcher = await LoginAsync("any");
        await watcher.SendAsync("SUB > 1\r\n");
        await watcher.PingAsync();

        await using var client = await LoginAsync("p");
        await client.SendAsync(Wire.Pub("foo.x", "1") + Wire.Pub("foo.secret", "2") + Wire.Pub("baz", "3") + Wire.Pub("bar.a.b", "4") + Wire.Pub("foo.x.y", "5") + "PING\r\n");
        await client.ExpectErrAsync("Permissions Violation for Publish to \"foo.secret\"");
        await client.ExpectErrAsync("Permissions Violation for Publish to \"baz\"");
        await client.ExpectErrAsync("Permissions Violation for Publish to \"foo.x.y\"");
        await client.ExpectLineAsync("PONG"); // the connection stays

        await watcher.ExpectMsgAsync("foo.x", "1", "1");
        await watcher.ExpectMsgAsync("bar.a.b", "1", "4");
        await watcher.PingAsync(); // nothing denied got through
    }

    [Test]
    public async Task DeniedPublishIsNotAcknowledgedByVerbose()
    {
        await using var client = await Server.ConnectRawAsync();
        await client.SendAsync($"CONNECT {{\"verbose\":true,\"user\":\"p\",\"pass\":\"p\"}}\r\n{Wire.Pub("baz", "x")}{Wire.Pub("foo.x", "y")}PING\r\n");
        await client.ExpectLineAsync("+OK");
        await client.ExpectErrAsync("Permissions Violation for Publish to \"baz\"");
        await client.ExpectLineAsync("+OK");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task SubscribeAllowDenyAndQueueRestrictedEntries()
    {
        await using var client = await LoginAsync("p");
        await client.SendAsync(
            "SUB foo.secret 1\r\nSUB foo.> 2\r\nSUB q.x 3\r\nSUB q.x q1 4\r\nSUB q.x q2 5\r\n" +
            "SUB all.x q9 6\r\nSUB all.x 7\r\nSUB all.x q1 8\r\nSUB other 9\r\nPING\r\n");
        await client.ExpectErrAsync("Permissions Violation for Subscription to \"foo.secret\"");
        await client.ExpectErrAsync("Permissions Violation for Subscription to \"q.x\"");
        await client.ExpectErrAsync("Permissions Violation for Subscription to \"q.x\" using queue \"q2\"");
        await client.ExpectErrAsync("Permissions Violation for Subscription to \"all.x\" using queue \"q9\"");
        await client.ExpectErrAsync("Permissions Violation for Subscription to \"other\"");
        await client.ExpectLineAsync("PONG");
        Assert.That(Server.Server.Clients.Single(c => c.User == "p").GetSubscriptions().Select(s => s.ToString()),
            Is.EquivalentTo(new[] { "foo.>", "q.x [q1]", "all.x", "all.x [q1]" }));
    }

    [Test]
    public async Task WildcardSubscriptionOverlappingADenyDoesNotReceiveDeniedSubjects()
    {
        await using var client = await LoginAsync("p");
        await client.SendAsync("SUB foo.> 1\r\n");
        await client.PingAsync();
        await using var publisher = await LoginAsync("any");
        await publisher.SendAsync(Wire.Pub("foo.secret", "hidden") + Wire.Pub("foo.ok", "shown") + Wire.Pub("foo.secret.deeper", "shown too"));
        await publisher.PingAsync();
        await client.ExpectMsgAsync("foo.ok", "1", "shown");
        await client.ExpectMsgAsync("foo.secret.deeper", "1", "shown too");
        await client.PingAsync();
    }

    [Test]
    public async Task QueueOnlyDenyEntryFiltersOnlyThatQueue()
    {
        // deny "all.x q9": a plain wildcard subscription (and another queue) still get all.x,
        // as nats-server's delivery filter (checkDenySub) decides.
        await using var client = await LoginAsync("p");
        await client.SendAsync("SUB all.* 1\r\nSUB all.* q1 2\r\n");
        await client.PingAsync();
        await using var publisher = await LoginAsync("any");
        await publisher.SendAsync(Wire.Pub("all.x", "x"));
        await publisher.PingAsync();
        var sids = new[] { (await client.ReadMessageAsync()).Sid, (await client.ReadMessageAsync()).Sid };
        Assert.That(sids, Is.EquivalentTo(new[] { "1", "2" }));
        await client.PingAsync();
    }

    [Test]
    public async Task QueueMemberOfADeniedQueueDoesNotReceiveDeniedSubjects()
    {
        // "all.* q9" is allowed (it is not "all.x q9"), but all.x must not reach it.
        await using var client = await LoginAsync("p");
        await client.SendAsync("SUB all.* q9 1\r\n");
        await client.PingAsync();
        await using var publisher = await LoginAsync("any");
        await publisher.SendAsync(Wire.Pub("all.x", "denied") + Wire.Pub("all.y", "fine"));
        await publisher.PingAsync();
        await client.ExpectMsgAsync("all.y", "1", "fine");
        await client.PingAsync();
    }

    [Test]
    public async Task ResponderMayReplyOnceToEachRequest()
    {
        await using var svc = await LoginAsync("svc");
        await svc.SendAsync("SUB svc 1\r\n");
        await svc.PingAsync();
        await using var requester = await LoginAsync("any");
        await requester.SendAsync("SUB _INBOX.r 1\r\n" + Wire.Pub("svc", "q", reply: "_INBOX.r"));
        await requester.PingAsync();
        await svc.ExpectMsgAsync("svc", "1", "q", reply: "_INBOX.r");

        await svc.SendAsync(Wire.Pub("_INBOX.r", "a1") + Wire.Pub("_INBOX.r", "a2") + Wire.Pub("_INBOX.other", "x") + "PING\r\n");
        await svc.ExpectErrAsync("Permissions Violation for Publish to \"_INBOX.r\"");
        await svc.ExpectErrAsync("Permissions Violation for Publish to \"_INBOX.other\"");
        await svc.ExpectLineAsync("PONG");
        await requester.ExpectMsgAsync("_INBOX.r", "1", "a1");
        await requester.PingAsync();
    }

    [Test]
    public async Task ResponsePermissionHonoursMaxAndKeepsStaticRules()
    {
        await using var svc = await LoginAsync("svc2");
        await svc.SendAsync("SUB svc 1\r\n");
        await svc.PingAsync();
        await using var requester = await LoginAsync("any");
        await requester.SendAsync("SUB _INBOX.r 1\r\n" + Wire.Pub("svc", "q", reply: "_INBOX.r"));
        await requester.PingAsync();
        await svc.ExpectMsgAsync("svc", "1", "q", reply: "_INBOX.r");

        await svc.SendAsync(Wire.Pub("_INBOX.r", "b1") + Wire.Pub("_INBOX.r", "b2") + Wire.Pub("_INBOX.r", "b3") + Wire.Pub("other", "o") + "PING\r\n");
        await svc.ExpectErrAsync("Permissions Violation for Publish to \"_INBOX.r\"");
        await svc.ExpectLineAsync("PONG");
        await requester.ExpectMsgAsync("_INBOX.r", "1", "b1");
        await requester.ExpectMsgAsync("_INBOX.r", "1", "b2");
        await requester.PingAsync();
    }

    [Test]
    public async Task ResponderCannotPublishToAReplySubjectBeforeARequestArrives()
    {
        await using var svc = await LoginAsync("svc");
        await svc.SendAsync(Wire.Pub("_INBOX.r", "early") + "PING\r\n");
        await svc.ExpectErrAsync("Permissions Violation for Publish to \"_INBOX.r\"");
        await svc.ExpectLineAsync("PONG");
    }

    [TestCase("_R_.abc")]
    [TestCase("$JS.ACK.x")]
    [TestCase("_GR_.x.y")]
    public async Task ReservedReplySubjectsAreRefused(string reply)
    {
        // nats-server refuses replies it uses internally (service imports, JetStream acks,
        // gateway routed replies): a client must not forge them. The kernel owns _R_.; the
        // others are reserved by their plugins, as here.
        Server.Server.ReserveReplyPrefix("$JS.ACK.");
        Server.Server.ReserveReplyPrefix("_GR_.");
        await using var client = await LoginAsync("any");
        await client.SendAsync("SUB foo 1\r\n" + Wire.Pub("foo", "x", reply: reply) + "PING\r\n");
        await client.ExpectErrAsync($"Permissions Violation for Publish with Reply of \"{reply}\"");
        await client.ExpectLineAsync("PONG"); // nothing delivered, the connection stays
    }

    [Test]
    public async Task AnUnreservedPrefixIsAnOrdinaryReplyAndAReservedOneMustGoOnAfterThePrefix()
    {
        await using var client = await LoginAsync("any");
        await client.SendAsync("SUB foo 1\r\n" + Wire.Pub("foo", "x", reply: "$JS.ACK.x") + "PING\r\n");
        await client.ExpectMsgAsync("foo", "1", "x", reply: "$JS.ACK.x");
        await client.ExpectLineAsync("PONG");
        Server.Server.ReserveReplyPrefix("$JS.ACK.");
        await client.SendAsync(Wire.Pub("foo", "y", reply: "$JS.ACK.") + "PING\r\n");
        await client.ExpectMsgAsync("foo", "1", "y", reply: "$JS.ACK.");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task AccountDefaultPermissionsApplyToItsUsersWithoutTheirOwn()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions
        {
            Accounts =
            [
                new AccountConfig
                {
                    Name = "P",
                    DefaultPermissions = new PermissionsConfig { Publish = new SubjectPermissionConfig { Allow = ["ok.>"] } },
                },
            ],
            Users =
            [
                new UserConfig { Username = "plain", Password = "x", Account = "P" },
                new UserConfig
                {
                    Username = "own",
                    Password = "x",
                    Account = "P",
                    Permissions = new PermissionsConfig { Publish = new SubjectPermissionConfig { Allow = ["mine"] } },
                },
            ],
        });
        await using var plain = await server.ConnectAsync(Connect(new { user = "plain", pass = "x" }));
        await plain.SendAsync(Wire.Pub("ok.1", "x") + Wire.Pub("mine", "x") + "PING\r\n");
        await plain.ExpectErrAsync("Permissions Violation for Publish to \"mine\"");
        await plain.ExpectLineAsync("PONG");
        await using var own = await server.ConnectAsync(Connect(new { user = "own", pass = "x" }));
        await own.SendAsync(Wire.Pub("mine", "x") + Wire.Pub("ok.1", "x") + "PING\r\n");
        await own.ExpectErrAsync("Permissions Violation for Publish to \"ok.1\"");
        await own.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task AuthorizationBlockPermissionsApplyToTokenClients()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions
        {
            Token = "t",
            DefaultPermissions = new PermissionsConfig { Subscribe = new SubjectPermissionConfig { Deny = ["secret.>"] } },
        });
        await using var client = await server.ConnectAsync(Connect(new { auth_token = "t" }));
        await client.SendAsync("SUB secret.x 1\r\nSUB public 2\r\nPING\r\n");
        await client.ExpectErrAsync("Permissions Violation for Subscription to \"secret.x\"");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task ManyDistinctPublishSubjectsKeepTheirVerdicts()
    {
        // More subjects than the per-connection verdict cache holds: evictions must not flip a verdict.
        await using var client = await LoginAsync("p");
        var frames = new System.Text.StringBuilder();
        for (var i = 0; i < 300; i++)
        {
            frames.Append(Wire.Pub($"foo.s{i}", "x")).Append(Wire.Pub($"baz{i}", "x"));
        }
        await client.SendAsync(frames.Append("PING\r\n").ToString());
        for (var i = 0; i < 300; i++)
        {
            await client.ExpectErrAsync($"Permissions Violation for Publish to \"baz{i}\"");
        }
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    // As nats-server's processMsgResults: a member that declines the message (its delivery
    // deny filter) makes the router offer it to the next member.
    public async Task QueueMessageRefusedByOneMembersDenyFilterGoesToAnotherMember()
    {
        await using var filtered = await LoginAsync("p"); // deny "all.x q9": may join q9 on all.*, but all.x is filtered
        await filtered.SendAsync("SUB all.* q9 1\r\n");
        await filtered.PingAsync();
        await using var open = await LoginAsync("any");
        await open.SendAsync("SUB all.* q9 1\r\n");
        await open.PingAsync();
        await using var publisher = await LoginAsync("any");
        await publisher.SendAsync(string.Concat(Enumerable.Range(0, 20).Select(i => Wire.Pub("all.x", i.ToString()))));
        await publisher.PingAsync();
        for (var i = 0; i < 20; i++)
        {
            await open.ExpectMsgAsync("all.x", "1", i.ToString());
        }
        await filtered.PingAsync();
    }
}
