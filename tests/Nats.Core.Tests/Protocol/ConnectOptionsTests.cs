using Nats.TestSupport;

namespace Nats.Core.Tests.Protocol;

/// <summary>CONNECT options and what they change on the wire (checked against nats-server 2.9.10).</summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class ConnectOptionsTests
{
    [Test]
    public async Task VerboseAcknowledgesEveryOperationButPing()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync("CONNECT {\"verbose\":true}\r\nSUB foo 1\r\nPUB foo 2\r\nhi\r\nUNSUB 1\r\nPING\r\n");
        await client.ExpectLineAsync("+OK"); // CONNECT
        await client.ExpectLineAsync("+OK"); // SUB
        await client.ExpectLineAsync("+OK"); // PUB
        await client.ExpectMsgAsync("foo", "1", "hi");
        await client.ExpectLineAsync("+OK"); // UNSUB
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task VerboseAcknowledgesUnsubOfAnUnknownSid()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync("CONNECT {\"verbose\":true}\r\nUNSUB 99\r\nPING\r\n");
        await client.ExpectLineAsync("+OK");
        await client.ExpectLineAsync("+OK");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task DefaultsBeforeConnectAreVerboseAndPedantic()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync("SUB foo.> 1\r\nPUB foo.* 2\r\nhi\r\nPING\r\n");
        await client.ExpectLineAsync("+OK");
        await client.ExpectErrAsync("Invalid Publish Subject");
        await client.ExpectLineAsync("+OK");
        await client.ExpectMsgAsync("foo.*", "1", "hi");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task EmptyConnectKeepsVerboseOn()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync("CONNECT {}\r\nPING\r\n");
        await client.ExpectLineAsync("+OK");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task PedanticRejectsAWildcardPublishSubjectButStillPublishes()
    {
        await using var server = await TestServer.StartAsync();
        await using var sub = await server.ConnectAsync();
        await sub.SendAsync("SUB foo.> 1\r\n");
        await sub.PingAsync();
        await using var pub = await server.ConnectAsync("{\"verbose\":false,\"pedantic\":true}");
        await pub.SendAsync("PUB foo.* 2\r\nhi\r\nPING\r\n");
        await pub.ExpectErrAsync("Invalid Publish Subject");
        await pub.ExpectLineAsync("PONG");
        await sub.ExpectMsgAsync("foo.*", "1", "hi");
    }

    [Test]
    public async Task NonPedanticAcceptsAWildcardPublishSubjectSilently()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.SendAsync("PUB foo.* 2\r\nhi\r\n");
        await client.PingAsync();
    }

    [Test]
    public async Task EchoOffSuppressesOwnMessagesOnly()
    {
        await using var server = await TestServer.StartAsync();
        await using var self = await server.ConnectAsync("{\"verbose\":false,\"echo\":false}");
        await using var other = await server.ConnectAsync();
        await self.SendAsync("SUB foo 1\r\n");
        await self.PingAsync();
        await other.SendAsync("SUB foo 2\r\n");
        await other.PingAsync();

        await self.SendAsync("PUB foo 4\r\nmine\r\n");
        await self.PingAsync(); // PONG first: no echo of its own message
        await other.ExpectMsgAsync("foo", "2", "mine");

        await other.SendAsync("PUB foo 6\r\ntheirs\r\n");
        await other.ExpectMsgAsync("foo", "2", "theirs"); // echo stays on for the other client
        await self.ExpectMsgAsync("foo", "1", "theirs");
    }

    [Test]
    public async Task EchoIsOnByDefault()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.SendAsync("SUB foo 1\r\nPUB foo 2\r\nhi\r\n");
        await client.ExpectMsgAsync("foo", "1", "hi");
    }

    [Test]
    public async Task HeaderClientReceivesHmsgWhileOthersReceiveThePayloadOnly()
    {
        await using var server = await TestServer.StartAsync();
        await using var withHeaders = await server.ConnectAsync("{\"verbose\":false,\"headers\":true}");
        await using var without = await server.ConnectAsync("{\"verbose\":false}");
        await withHeaders.SendAsync("SUB foo 1\r\n");
        await withHeaders.PingAsync();
        await without.SendAsync("SUB foo 2\r\n");
        await without.PingAsync();

        await withHeaders.SendAsync(Wire.Hpub("foo", "A: 1\r\n", "hi"));
        var frame = await withHeaders.ReadMessageAsync();
        Assert.That(frame.Line, Is.EqualTo("HMSG foo 1 18 20"));
        Assert.That(frame.HeaderText, Is.EqualTo("NATS/1.0\r\nA: 1\r\n\r\n"));
        Assert.That(frame.PayloadText, Is.EqualTo("hi"));
        await without.ExpectMsgAsync("foo", "2", "hi");
    }

    [Test]
    public async Task NoRespondersSendsA503StatusWithTheSubject()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync("{\"verbose\":false,\"headers\":true,\"no_responders\":true}");
        await client.SendAsync("SUB _INBOX.a 7\r\nPUB svc.nobody _INBOX.a 2\r\nhi\r\n");
        // nats-server 2.10+: the status carries the subject nobody listened on.
        const string headers = "NATS/1.0 503\r\nNats-Subject: svc.nobody\r\n\r\n";
        await client.ExpectLineAsync($"HMSG _INBOX.a 7 {headers.Length} {headers.Length}");
        Assert.That(System.Text.Encoding.ASCII.GetString(await client.ReadBytesAsync(headers.Length + 2)), Is.EqualTo(headers + "\r\n"));
        await client.PingAsync();
    }

    [Test]
    public async Task NoRespondersIsSentOnlyToClientsThatAskedForIt()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync("{\"verbose\":false,\"headers\":true}");
        await client.SendAsync("SUB _INBOX.a 7\r\nPUB svc.nobody _INBOX.a 2\r\nhi\r\n");
        await client.PingAsync();
    }

    [Test]
    public async Task NoRespondersIsNotSentWhenSomeoneReceivedTheRequest()
    {
        await using var server = await TestServer.StartAsync();
        await using var responder = await server.ConnectAsync();
        await responder.SendAsync("SUB svc 1\r\n");
        await responder.PingAsync();
        await using var client = await server.ConnectAsync("{\"verbose\":false,\"headers\":true,\"no_responders\":true}");
        await client.SendAsync("SUB _INBOX.a 7\r\nPUB svc _INBOX.a 2\r\nhi\r\n");
        await client.PingAsync();
        await responder.ExpectMsgAsync("svc", "1", "hi", reply: "_INBOX.a");
    }

    [Test]
    public async Task NoRespondersWithoutHeadersIsRefused()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync("CONNECT {\"verbose\":false,\"no_responders\":true}\r\nPING\r\n");
        await client.ExpectErrAndCloseAsync("no responders requires headers support");
        await server.AssertHealthyAsync();
    }

    [Test]
    public async Task NoRespondersIsRefusedWhenTheServerDisablesHeaders()
    {
        await using var server = await TestServer.StartAsync(o => o.NoHeaderSupport = true);
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync("CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\nPING\r\n");
        await client.ExpectErrAndCloseAsync("no responders requires headers support");
    }

    [TestCase(2)]
    [TestCase(-1)]
    public async Task UnsupportedProtocolIsRefused(int protocol)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync($"CONNECT {{\"verbose\":false,\"protocol\":{protocol}}}\r\nPING\r\n");
        await client.ExpectErrAndCloseAsync("invalid client protocol");
        await server.AssertHealthyAsync();
    }

    [TestCase("{bad")]
    [TestCase("{\"verbose\":\"yes\"}")]
    [TestCase("")]
    public async Task InvalidConnectJsonClosesWithoutAnError(string json)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync($"CONNECT {json}\r\nPING\r\n");
        await client.ExpectCloseWithoutErrorAsync();
        await server.AssertHealthyAsync();
    }

    [Test]
    public async Task ASecondConnectReplacesTheOptions()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync("CONNECT {\"verbose\":false}\r\nCONNECT {\"verbose\":true}\r\nPING\r\n");
        await client.ExpectLineAsync("+OK");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task ConnectNamingAnAccountIsAnAuthorizationViolation()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync("CONNECT {\"verbose\":false,\"account\":\"A\"}\r\nPING\r\n");
        await client.ExpectErrAndCloseAsync("Authorization Violation");
    }
}
