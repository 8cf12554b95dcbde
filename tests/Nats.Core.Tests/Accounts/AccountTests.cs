using Nats.Core.Config;
using Nats.TestSupport;
using static Nats.Core.Tests.Auth.AuthSupport;

namespace Nats.Core.Tests.Accounts;

/// <summary>
/// Accounts over real connections: isolation, stream and service exports/imports (behaviour
/// checked against nats-server 2.9.10 with the same configuration).
/// </summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class AccountTests : ServerFixture
{
    /// <summary>
    /// A exports news.> (public), private.* (to B only), service req.> (public) and time (to B).
    /// B imports news.> with prefix "a", private.* to from_a.*, req.> as ask.>, and time.
    /// C imports news.> as is. D imports nothing.
    /// </summary>
    internal static AuthOptions Configuration() => new()
    {
        Accounts =
        [
            new AccountConfig
            {
                Name = "A",
                Exports =
                [
                    new ExportConfig { Kind = ExportKind.Stream, Subject = "news.>" },
                    new ExportConfig { Kind = ExportKind.Stream, Subject = "private.*", Accounts = ["B"] },
                    new ExportConfig { Kind = ExportKind.Service, Subject = "req.>" },
                    new ExportConfig { Kind = ExportKind.Service, Subject = "time", Accounts = ["B"] },
                ],
            },
            new AccountConfig
            {
                Name = "B",
                Imports =
                [
                    new ImportConfig { Kind = ExportKind.Stream, Account = "A", Subject = "news.>", Prefix = "a" },
                    new ImportConfig { Kind = ExportKind.Stream, Account = "A", Subject = "private.*", To = "from_a.*" },
                    new ImportConfig { Kind = ExportKind.Service, Account = "A", Subject = "req.>", To = "ask.>" },
                    new ImportConfig { Kind = ExportKind.Service, Account = "A", Subject = "time" },
                ],
            },
            new AccountConfig
            {
                Name = "C",
                Imports = [new ImportConfig { Kind = ExportKind.Stream, Account = "A", Subject = "news.>" }],
            },
            new AccountConfig { Name = "D" },
        ],
        Users =
        [
            new UserConfig { Username = "a", Password = "a", Account = "A" },
            new UserConfig { Username = "a2", Password = "a2", Account = "A" },
            new UserConfig { Username = "b", Password = "b", Account = "B" },
            new UserConfig { Username = "c", Password = "c", Account = "C" },
            new UserConfig { Username = "d", Password = "d", Account = "D" },
        ],
    };

    protected override void Configure(ServerOptions options) => options.Auth = Configuration();

    private Task<RawClient> LoginAsync(string user) =>
        Server.ConnectAsync(Connect(new { user, pass = user, headers = true }));

    [Test]
    public async Task AccountsAreIsolated()
    {
        await using var a2 = await LoginAsync("a2");
        await using var d = await LoginAsync("d");
        await a2.SendAsync("SUB > 1\r\n");
        await a2.PingAsync();
        await d.SendAsync("SUB > 1\r\n");
        await d.PingAsync();

        await using var a = await LoginAsync("a");
        await a.SendAsync(Wire.Pub("shared.subject", "from A"));
        await a.PingAsync();
        await a2.ExpectMsgAsync("shared.subject", "1", "from A");
        await d.PingAsync(); // D saw nothing

        await d.SendAsync(Wire.Pub("shared.subject", "from D"));
        await d.ExpectMsgAsync("shared.subject", "1", "from D");
        await a2.PingAsync(); // A saw nothing
    }

    [Test]
    public async Task StreamImportWithPrefix()
    {
        await using var b = await LoginAsync("b");
        await b.SendAsync("SUB a.news.> 1\r\nSUB news.> 2\r\n");
        await b.PingAsync();
        await using var a = await LoginAsync("a");
        await a.SendAsync(Wire.Pub("news.sport", "goal", reply: "r1"));
        await a.PingAsync();
        await b.ExpectMsgAsync("a.news.sport", "1", "goal", reply: "r1");
        await b.PingAsync(); // not under the original subject
    }

    [Test]
    public async Task StreamImportWithoutPrefixKeepsTheSubject()
    {
        await using var c = await LoginAsync("c");
        await c.SendAsync("SUB news.> 1\r\n");
        await c.PingAsync();
        await using var a = await LoginAsync("a");
        await a.SendAsync(Wire.Pub("news.sport", "goal") + Wire.Pub("other", "no"));
        await a.PingAsync();
        await c.ExpectMsgAsync("news.sport", "1", "goal");
        await c.PingAsync();
    }

    [Test]
    public async Task StreamImportWithTo()
    {
        await using var b = await LoginAsync("b");
        await b.SendAsync("SUB from_a.> 1\r\nSUB private.> 2\r\n");
        await b.PingAsync();
        await using var a = await LoginAsync("a");
        await a.SendAsync(Wire.Pub("private.y", "secret") + Wire.Pub("private.y.z", "not exported"));
        await a.PingAsync();
        await b.ExpectMsgAsync("from_a.y", "1", "secret");
        await b.PingAsync();
    }

    [Test]
    public async Task RestrictedStreamReachesOnlyTheAllowedAccount()
    {
        await using var c = await LoginAsync("c");
        await c.SendAsync("SUB > 1\r\n");
        await c.PingAsync();
        await using var a = await LoginAsync("a");
        await a.SendAsync(Wire.Pub("private.y", "secret"));
        await a.PingAsync();
        await c.PingAsync();
    }

    [Test]
    public async Task ImportsDoNotFlowBackwards()
    {
        await using var a2 = await LoginAsync("a2");
        await a2.SendAsync("SUB > 1\r\n");
        await a2.PingAsync();
        await using var b = await LoginAsync("b");
        await b.SendAsync(Wire.Pub("a.news.x", "1") + Wire.Pub("news.x", "2") + Wire.Pub("from_a.y", "3"));
        await b.PingAsync();
        await a2.PingAsync();
    }

    [Test]
    public async Task ServiceImportMapsTheRequestAndCarriesTheReplyBack()
    {
        await using var responder = await LoginAsync("a");
        await responder.SendAsync("SUB req.> 1\r\n");
        await responder.PingAsync();
        await using var requester = await LoginAsync("b");
        await requester.SendAsync("SUB _INBOX.b.* 7\r\n" + Wire.Pub("ask.weather", "where?", reply: "_INBOX.b.1"));
        await requester.PingAsync();

        var request = await responder.ReadMessageAsync();
        Assert.Multiple(() =>
        {
            Assert.That(request.Subject, Is.EqualTo("req.weather"), "the local subject is mapped to the exported one");
            Assert.That(request.PayloadText, Is.EqualTo("where?"));
            Assert.That(request.Reply, Does.StartWith("_R_."), "the requester's inbox never leaks into the exporter");
        });

        await responder.SendAsync(Wire.Pub(request.Reply!, "sunny"));
        await responder.PingAsync();
        await requester.ExpectMsgAsync("_INBOX.b.1", "7", "sunny");
    }

    [Test]
    public async Task SingletonServiceDeliversOnlyTheFirstResponse()
    {
        await using var responder = await LoginAsync("a");
        await responder.SendAsync("SUB time 1\r\n");
        await responder.PingAsync();
        await using var requester = await LoginAsync("b");
        await requester.SendAsync("SUB _INBOX.t 1\r\n" + Wire.Pub("time", "now?", reply: "_INBOX.t"));
        await requester.PingAsync();
        var request = await responder.ReadMessageAsync();
        await responder.SendAsync(Wire.Pub(request.Reply!, "12:00") + Wire.Pub(request.Reply!, "12:01"));
        await responder.PingAsync();
        await requester.ExpectMsgAsync("_INBOX.t", "1", "12:00");
        await requester.PingAsync();
    }

    [Test]
    public async Task ServiceResponsesKeepTheirHeaders()
    {
        await using var responder = await LoginAsync("a");
        await responder.SendAsync("SUB req.> 1\r\n");
        await responder.PingAsync();
        await using var requester = await LoginAsync("b");
        await requester.SendAsync("SUB _INBOX.h 1\r\n" + Wire.Hpub("ask.h", "Q: 1\r\n", "q", reply: "_INBOX.h"));
        await requester.PingAsync();
        var request = await responder.ReadMessageAsync();
        Assert.That(request.HeaderText, Is.EqualTo(Wire.HeaderBlock("Q: 1\r\n")));
        await responder.SendAsync(Wire.Hpub(request.Reply!, "A: 2\r\n", "a"));
        var response = await requester.ReadMessageAsync();
        Assert.That(response.Line, Does.StartWith("HMSG _INBOX.h 1 "));
        Assert.That(response.HeaderText, Is.EqualTo(Wire.HeaderBlock("A: 2\r\n")));
        Assert.That(response.PayloadText, Is.EqualTo("a"));
    }

    [Test]
    public async Task ManyConcurrentRequestsEachGetTheirOwnReply()
    {
        await using var responder = await LoginAsync("a");
        await responder.SendAsync("SUB req.> 1\r\n");
        await responder.PingAsync();
        await using var requester = await LoginAsync("b");
        await requester.SendAsync("SUB _INBOX.many.* 1\r\n" + string.Concat(Enumerable.Range(0, 50).Select(i => Wire.Pub("ask.n", i.ToString(), reply: $"_INBOX.many.{i}"))));
        await requester.PingAsync();
        var answers = new List<string>();
        for (var i = 0; i < 50; i++)
        {
            var request = await responder.ReadMessageAsync();
            answers.Add(Wire.Pub(request.Reply!, "re " + request.PayloadText));
        }
        // Answer in reverse order: the mapping, not the order, routes each reply.
        answers.Reverse();
        await responder.SendAsync(string.Concat(answers));
        for (var i = 49; i >= 0; i--)
        {
            await requester.ExpectMsgAsync($"_INBOX.many.{i}", "1", $"re {i}");
        }
    }

    [Test]
    public async Task ExporterClientsCannotReachTheImportersSubjects()
    {
        await using var b = await LoginAsync("b");
        await b.SendAsync("SUB ask.> 1\r\n");
        await b.PingAsync();
        await using var a = await LoginAsync("a");
        await a.SendAsync(Wire.Pub("ask.x", "x") + Wire.Pub("req.x", "y"));
        await a.PingAsync();
        await b.PingAsync();
    }
}
