using System.Text;
using Nats.TestSupport;

namespace Nats.Core.Tests.Protocol;

/// <summary>Request/reply and no-responders, end to end between separate connections.</summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class RequestReplyTests : ServerFixture
{
    private const string Requester = "{\"verbose\":false,\"headers\":true,\"no_responders\":true}";

    [Test]
    public async Task RequestReachesTheResponderAndTheReplyComesBack()
    {
        await using var responder = await Server.ConnectAsync();
        await responder.SendAsync("SUB svc.echo 1\r\n");
        await responder.PingAsync();
        await using var requester = await Server.ConnectAsync(Requester);
        await requester.SendAsync("SUB _INBOX.abc.* 9\r\n" + Wire.Pub("svc.echo", "ping?", reply: "_INBOX.abc.1"));

        var request = await responder.ExpectMsgAsync("svc.echo", "1", "ping?", reply: "_INBOX.abc.1");
        await responder.SendAsync(Wire.Pub(request.Reply!, "pong!"));
        await requester.ExpectMsgAsync("_INBOX.abc.1", "9", "pong!");
    }

    [Test]
    public async Task OnlyOneQueueResponderAnswers()
    {
        var responders = new List<RawClient>();
        for (var i = 0; i < 3; i++)
        {
            var responder = await Server.ConnectAsync();
            await responder.SendAsync("SUB svc workers 1\r\n");
            await responder.PingAsync();
            responders.Add(responder);
        }
        await using var requester = await Server.ConnectAsync(Requester);
        await requester.SendAsync("SUB _INBOX.q 1\r\n" + Wire.Pub("svc", "job", reply: "_INBOX.q"));
        await requester.PingAsync();

        var got = 0;
        foreach (var responder in responders)
        {
            await responder.SendAsync("PING\r\n");
            var frame = await responder.ReadFrameAsync();
            if (frame.IsMessage)
            {
                got++;
                await responder.SendAsync(Wire.Pub(frame.Reply!, "done"));
                await responder.ExpectLineAsync("PONG");
            }
            else
            {
                Assert.That(frame.Line, Is.EqualTo("PONG"));
            }
        }
        Assert.That(got, Is.EqualTo(1));
        await requester.ExpectMsgAsync("_INBOX.q", "1", "done");
        await requester.PingAsync();
        foreach (var responder in responders)
        {
            await responder.DisposeAsync();
        }
    }

    [Test]
    public async Task NoRespondersAfterTheOnlyResponderLeft()
    {
        await using var responder = await Server.ConnectAsync();
        await responder.SendAsync("SUB svc 1\r\nUNSUB 1\r\n");
        await responder.PingAsync();
        await using var requester = await Server.ConnectAsync(Requester);
        await requester.SendAsync("SUB _INBOX.n 3\r\n" + Wire.Pub("svc", "anyone?", reply: "_INBOX.n"));
        await ExpectNoRespondersAsync(requester, "_INBOX.n", "3", "svc");
    }

    [Test]
    public async Task NoRespondersWhenTheOnlySubscriberIsTheRequesterWithEchoOff()
    {
        await using var requester = await Server.ConnectAsync("{\"verbose\":false,\"headers\":true,\"no_responders\":true,\"echo\":false}");
        await requester.SendAsync("SUB svc 1\r\nSUB _INBOX.e 2\r\n" + Wire.Pub("svc", "self?", reply: "_INBOX.e"));
        await ExpectNoRespondersAsync(requester, "_INBOX.e", "2", "svc");
    }

    [Test]
    public async Task NoRespondersForAHeaderRequest()
    {
        await using var requester = await Server.ConnectAsync(Requester);
        await requester.SendAsync("SUB _INBOX.h 5\r\n" + Wire.Hpub("svc.h", "X: y\r\n", "body", reply: "_INBOX.h"));
        await ExpectNoRespondersAsync(requester, "_INBOX.h", "5", "svc.h");
    }

    [Test]
    public async Task NoRespondersNeedsTheRequesterToListenOnTheReply()
    {
        // nats-server sends the status on the requester's own subscription for the reply; a
        // reply subject somebody else listens on gets nothing.
        await using var other = await Server.ConnectAsync();
        await other.SendAsync("SUB _INBOX.x 1\r\n");
        await other.PingAsync();
        await using var requester = await Server.ConnectAsync(Requester);
        await requester.SendAsync(Wire.Pub("svc", "q", reply: "_INBOX.x"));
        await requester.PingAsync();
        await other.PingAsync();
    }

    [Test]
    public async Task PublishWithoutReplyNeverTriggersNoResponders()
    {
        await using var requester = await Server.ConnectAsync(Requester);
        await requester.SendAsync("SUB _INBOX.z 1\r\n" + Wire.Pub("svc", "fire and forget"));
        await requester.PingAsync();
    }

    [Test]
    public async Task ManyRequestsInFlightAreAnsweredIndependently()
    {
        await using var responder = await Server.ConnectAsync();
        await responder.SendAsync("SUB svc 1\r\n");
        await responder.PingAsync();
        await using var requester = await Server.ConnectAsync(Requester);
        var requests = new StringBuilder("SUB _INBOX.m.* 1\r\n");
        for (var i = 0; i < 100; i++)
        {
            requests.Append(Wire.Pub("svc", i.ToString(), reply: $"_INBOX.m.{i}"));
        }
        await requester.SendAsync(requests.ToString());
        var replies = new StringBuilder();
        for (var i = 0; i < 100; i++)
        {
            var request = await responder.ReadMessageAsync();
            replies.Append(Wire.Pub(request.Reply!, "re:" + request.PayloadText));
        }
        await responder.SendAsync(replies.ToString());
        for (var i = 0; i < 100; i++)
        {
            await requester.ExpectMsgAsync($"_INBOX.m.{i}", "1", $"re:{i}");
        }
    }

    private static async Task ExpectNoRespondersAsync(RawClient requester, string reply, string sid, string subject)
    {
        var frame = await requester.ReadMessageAsync();
        var headers = $"NATS/1.0 503\r\nNats-Subject: {subject}\r\n\r\n";
        Assert.Multiple(() =>
        {
            Assert.That(frame.Line, Is.EqualTo($"HMSG {reply} {sid} {headers.Length} {headers.Length}"));
            Assert.That(frame.HeaderText, Is.EqualTo(headers));
            Assert.That(frame.Payload, Is.Empty);
        });
        await requester.PingAsync();
    }
}
