using Nats.TestSupport;

namespace Nats.Core.Tests.Protocol;

/// <summary>PUB/HPUB/SUB/UNSUB/MSG/HMSG/PING/PONG as nats-server parses and formats them.</summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class PubSubTests : ServerFixture
{
    [Test]
    public async Task PublishIsDeliveredAsMsg()
    {
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("SUB foo 1\r\nPUB foo 5\r\nhello\r\nPING\r\n");
        await client.ExpectMsgAsync("foo", "1", "hello");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task LowerCaseOperationsAreAccepted()
    {
        await using var client = await Server.ConnectRawAsync();
        await client.SendAsync("connect {\"verbose\":false}\r\nsub foo 1\r\npub foo 2\r\nhi\r\nping\r\nunsub 1\r\npub foo 2\r\nhi\r\nping\r\n");
        await client.ExpectMsgAsync("foo", "1", "hi");
        await client.ExpectLineAsync("PONG");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task MixedCaseOperationsAreAccepted()
    {
        await using var client = await Server.ConnectRawAsync();
        await client.SendAsync("CoNnEcT {\"verbose\":false}\r\nSuB foo 1\r\npUb foo 2\r\nhi\r\nPiNg\r\n");
        await client.ExpectMsgAsync("foo", "1", "hi");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task TabsAndRepeatedSpacesSeparateArguments()
    {
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("SUB\tfoo\t1\r\nSUB  bar \t 2 \r\nPUB\tfoo\t\treply\t2\r\nhi\r\nPUB bar   2  \r\nyo\r\nPING\r\n");
        await client.ExpectMsgAsync("foo", "1", "hi", reply: "reply");
        await client.ExpectMsgAsync("bar", "2", "yo");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task LineFeedOnlyControlLinesAreAccepted()
    {
        await using var client = await Server.ConnectRawAsync();
        await client.SendAsync("CONNECT {\"verbose\":false}\nSUB foo 1\nPUB foo 2\nhi\r\nPING\n");
        await client.ExpectMsgAsync("foo", "1", "hi");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task ZeroLengthPayload()
    {
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("SUB foo 1\r\nPUB foo 0\r\n\r\nPING\r\n");
        var frame = await client.ReadMessageAsync();
        Assert.That(frame.Line, Is.EqualTo("MSG foo 1 0"));
        Assert.That(frame.Payload, Is.Empty);
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task PayloadMayContainCrlfAndBinary()
    {
        await using var client = await Server.ConnectAsync();
        var payload = new byte[] { 0, 13, 10, 255, 80, 73, 78, 71, 13, 10 };
        await client.SendAsync("SUB foo 1\r\nPUB foo 10\r\n");
        await client.SendAsync((byte[])[.. payload, 13, 10]);
        var frame = await client.ReadMessageAsync();
        Assert.That(frame.Payload, Is.EqualTo(payload));
    }

    [Test]
    public async Task ReplySubjectIsPassedOn()
    {
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("SUB foo 1\r\nPUB foo _INBOX.x 2\r\nhi\r\n");
        await client.ExpectMsgAsync("foo", "1", "hi", reply: "_INBOX.x");
    }

    [Test]
    public async Task HpubWithReplyIsDeliveredAsHmsg()
    {
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("SUB foo 1\r\n" + Wire.Hpub("foo", "K: v\r\n", "hi", reply: "r.1"));
        var frame = await client.ReadMessageAsync();
        Assert.That(frame.Line, Is.EqualTo("HMSG foo 1 r.1 18 20"));
        Assert.That(frame.HeaderText, Is.EqualTo(Wire.HeaderBlock("K: v\r\n")));
        Assert.That(frame.PayloadText, Is.EqualTo("hi"));
    }

    [Test]
    public async Task HeadersOnlyMessage()
    {
        await using var headers = await Server.ConnectAsync();
        await using var plain = await Server.ConnectAsync("{\"verbose\":false}");
        await headers.SendAsync("SUB foo 1\r\n");
        await headers.PingAsync();
        await plain.SendAsync("SUB foo 2\r\n");
        await plain.PingAsync();
        await headers.SendAsync("HPUB foo 12 12\r\nNATS/1.0\r\n\r\n\r\n");
        var frame = await headers.ReadMessageAsync();
        Assert.That(frame.Line, Is.EqualTo("HMSG foo 1 12 12"));
        Assert.That(frame.Payload, Is.Empty);
        var stripped = await plain.ReadMessageAsync();
        Assert.That(stripped.Line, Is.EqualTo("MSG foo 2 0"), "a client without headers gets the empty payload");
    }

    [Test]
    public async Task PlainPublishToAHeaderClientIsAMsg()
    {
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("SUB foo 1\r\nPUB foo 2\r\nhi\r\n");
        await client.ExpectMsgAsync("foo", "1", "hi");
    }

    [Test]
    public async Task HpubWithZeroHeaderSizeIsAPlainMessage()
    {
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("SUB foo 1\r\nHPUB foo 0 2\r\nhi\r\n");
        await client.ExpectMsgAsync("foo", "1", "hi");
    }

    [Test]
    public async Task WildcardsMatchLikeNatsServer()
    {
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("SUB foo.* 1\r\nSUB foo.> 2\r\nSUB > 3\r\nSUB foo.bar 4\r\nSUB *.bar 5\r\nSUB *.*.* 6\r\nSUB foo 7\r\n");
        await client.PingAsync();

        Assert.That(await ReceiveSidsAsync(client, "foo.bar"), Is.EquivalentTo(new[] { "1", "2", "3", "4", "5" }));
        Assert.That(await ReceiveSidsAsync(client, "foo.bar.baz"), Is.EquivalentTo(new[] { "2", "3", "6" }));
        Assert.That(await ReceiveSidsAsync(client, "foo"), Is.EquivalentTo(new[] { "3", "7" }));
        Assert.That(await ReceiveSidsAsync(client, "baz.bar"), Is.EquivalentTo(new[] { "3", "5" }));
    }

    [Test]
    public async Task SeveralSubscriptionsOnOneConnectionEachGetTheMessage()
    {
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("SUB foo 1\r\nSUB foo 2\r\n");
        Assert.That(await ReceiveSidsAsync(client, "foo"), Is.EquivalentTo(new[] { "1", "2" }));
    }

    [Test]
    public async Task UnsubStopsDelivery()
    {
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("SUB foo 1\r\nUNSUB 1\r\nPUB foo 2\r\nhi\r\n");
        await client.PingAsync();
    }

    [Test]
    public async Task UnsubWithMaxExpiresAfterThatManyMessages()
    {
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("SUB foo 1\r\nUNSUB 1 2\r\n");
        await client.SendAsync(string.Concat(Enumerable.Range(0, 5).Select(i => Wire.Pub("foo", $"m{i}"))));
        await client.ExpectMsgAsync("foo", "1", "m0");
        await client.ExpectMsgAsync("foo", "1", "m1");
        await client.PingAsync();
        Assert.That(Server.Server.Clients.Sum(c => c.SubscriptionCount), Is.Zero, "the subscription is gone after its last message");
    }

    [Test]
    public async Task UnsubWithMaxCountsMessagesAlreadyDelivered()
    {
        // nats-server: "UNSUB 1 3" after 5 deliveries removes the subscription at once.
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("SUB foo 1\r\n" + string.Concat(Enumerable.Range(0, 5).Select(i => Wire.Pub("foo", $"m{i}"))));
        for (var i = 0; i < 5; i++)
        {
            await client.ExpectMsgAsync("foo", "1", $"m{i}");
        }
        await client.SendAsync("UNSUB 1 3\r\n" + Wire.Pub("foo", "late") + Wire.Pub("foo", "later"));
        await client.PingAsync();
    }

    [Test]
    public async Task UnsubWithMaxAboveTheDeliveredCountAllowsTheRemainder()
    {
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("SUB foo 1\r\n" + Wire.Pub("foo", "a") + Wire.Pub("foo", "b"));
        await client.ExpectMsgAsync("foo", "1", "a");
        await client.ExpectMsgAsync("foo", "1", "b");
        await client.SendAsync("UNSUB 1 3\r\n" + Wire.Pub("foo", "c") + Wire.Pub("foo", "d"));
        await client.ExpectMsgAsync("foo", "1", "c");
        await client.PingAsync();
    }

    [Test]
    public async Task UnsubOfAnUnknownSidIsIgnored()
    {
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("UNSUB 42\r\nUNSUB 42 5\r\n");
        await client.PingAsync();
    }

    [TestCase("x")]
    [TestCase("0")]
    [TestCase("-3")]
    public async Task UnsubWithANonPositiveOrGarbageMaxUnsubscribesNow(string max)
    {
        // nats-server parses the max with parseSize; anything but a positive number unsubscribes.
        await using var client = await Server.ConnectAsync();
        await client.SendAsync($"SUB foo 1\r\nUNSUB 1 {max}\r\n" + Wire.Pub("foo", "hi"));
        await client.PingAsync();
    }

    [Test]
    public async Task DuplicateSidKeepsTheFirstSubscription()
    {
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("SUB foo 1\r\nSUB bar 1\r\n" + Wire.Pub("bar", "no") + Wire.Pub("foo", "yes"));
        await client.ExpectMsgAsync("foo", "1", "yes");
        await client.PingAsync();
    }

    [Test]
    public async Task InvalidSubscriptionSubjectIsAnErrorButTheConnectionStays()
    {
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("SUB foo.. 1\r\nSUB foo.>.bar 2\r\nPING\r\n");
        await client.ExpectErrAsync("Invalid Subject");
        await client.ExpectErrAsync("Invalid Subject");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task QueueSubscriptionWithReply()
    {
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("SUB foo q 1\r\nPUB foo r 2\r\nhi\r\n");
        await client.ExpectMsgAsync("foo", "1", "hi", reply: "r");
    }

    [Test]
    public async Task ServerPingIsAnsweredAndClientPongIsAccepted()
    {
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("PONG\r\nPING\r\nPING\r\n");
        await client.ExpectLineAsync("PONG");
        await client.ExpectLineAsync("PONG");
    }

    [Test]
    public async Task InfoAndOkFromAClientAreIgnored()
    {
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("INFO {}\r\n+OK\r\n");
        await client.PingAsync();
    }

    [Test]
    public async Task ErrFromAClientClosesTheConnection()
    {
        await using var client = await Server.ConnectAsync();
        await client.SendAsync("-ERR 'boom'\r\nPING\r\n");
        await client.ExpectCloseWithoutErrorAsync();
    }

    [Test]
    public async Task LongSubjectAndReplyAreDeliveredIntact()
    {
        // A MSG line longer than the stack scratch the server formats small lines in.
        var subject = string.Join('.', Enumerable.Range(0, 300).Select(i => $"t{i}"));
        var reply = "_INBOX." + new string('r', 1500);
        await using var client = await Server.ConnectAsync();
        await client.SendAsync($"SUB {subject} 1\r\nSUB t0.> 2\r\n" + Wire.Pub(subject, "hi", reply));
        var lines = new[] { (await client.ReadMessageAsync()).Line, (await client.ReadMessageAsync()).Line };
        Assert.That(lines, Is.EquivalentTo(new[] { $"MSG {subject} 1 {reply} 2", $"MSG {subject} 2 {reply} 2" }));
    }

    [Test]
    public async Task MessagesFromOneClientArriveInOrder()
    {
        await using var sub = await Server.ConnectAsync();
        await using var pub = await Server.ConnectAsync();
        await sub.SendAsync("SUB seq.> 1\r\n");
        await sub.PingAsync();
        await pub.SendAsync(string.Concat(Enumerable.Range(0, 200).Select(i => Wire.Pub($"seq.{i % 7}", i.ToString()))));
        for (var i = 0; i < 200; i++)
        {
            await sub.ExpectMsgAsync($"seq.{i % 7}", "1", i.ToString());
        }
    }

    /// <summary>Publishes an empty message on <paramref name="subject"/> and returns the sids it arrived on.</summary>
    private static async Task<List<string>> ReceiveSidsAsync(RawClient client, string subject)
    {
        await client.SendAsync($"PUB {subject} 0\r\n\r\nPING\r\n");
        var sids = new List<string>();
        while (true)
        {
            var frame = await client.ReadFrameAsync();
            if (frame.Line == "PONG")
            {
                return sids;
            }
            Assert.That(frame.Subject, Is.EqualTo(subject));
            sids.Add(frame.Sid);
        }
    }
}
