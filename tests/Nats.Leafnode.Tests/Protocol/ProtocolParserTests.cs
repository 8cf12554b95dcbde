using System.Text;
using Nats.Leafnode.Protocol;

namespace Nats.Leafnode.Tests.Protocol;

/// <summary>LS+/LS-/LMSG/HMSG as nats-server writes them, and the lines we write for it.</summary>
[TestFixture]
public sealed class ProtocolParserTests
{
    private static (LeafParseStatus Status, string Op, string Subject, string Reply, string Queue, string Queues, string Key, int Weight, string Headers, string Payload, int Consumed, int Needed) Parse(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var status = LeafProtocolParser.Parse(bytes, 4096, 1 << 20, out var c, out var consumed, out var needed);
        static string S(ReadOnlySpan<byte> s) => Encoding.UTF8.GetString(s);
        return (status, c.Op.ToString(), S(c.Subject), S(c.Reply), S(c.Queue), S(c.Queues), S(c.Key), c.QueueWeight, S(c.Headers), S(c.Payload), consumed, needed);
    }

    [Test]
    public void Plain_and_queue_interest()
    {
        var plain = Parse("LS+ foo.bar\r\n");
        Assert.That((plain.Status, plain.Op, plain.Subject, plain.Queue, plain.Key), Is.EqualTo((LeafParseStatus.Complete, "Sub", "foo.bar", "", "foo.bar")));
        var queue = Parse("LS+ foo.* workers 3\r\n");
        Assert.That((queue.Subject, queue.Queue, queue.Weight, queue.Key), Is.EqualTo(("foo.*", "workers", 3, "foo.* workers")));
        var unsub = Parse("LS- foo.* workers\r\n");
        Assert.That((unsub.Op, unsub.Key), Is.EqualTo(("Unsub", "foo.* workers")));
        Assert.That(Parse("LS+ foo workers\r\n").Status, Is.EqualTo(LeafParseStatus.BadArguments));
        Assert.That(Parse("LS+\r\n").Status, Is.EqualTo(LeafParseStatus.BadArguments));
    }

    [TestCase("LMSG foo 5\r\nhello\r\n", "foo", "", "", "", "hello")]
    [TestCase("LMSG foo _INBOX.1 5\r\nhello\r\n", "foo", "_INBOX.1", "", "", "hello")]
    [TestCase("LMSG foo + _INBOX.1 q1 q2 5\r\nhello\r\n", "foo", "_INBOX.1", "q1 q2", "", "hello")]
    [TestCase("LMSG foo | q1 5\r\nhello\r\n", "foo", "", "q1", "", "hello")]
    [TestCase("HMSG foo r 12 17\r\nNATS/1.0\r\n\r\nhello\r\n", "foo", "r", "", "NATS/1.0\r\n\r\n", "hello")]
    [TestCase("HMSG foo | q 12 17\r\nNATS/1.0\r\n\r\nhello\r\n", "foo", "", "q", "NATS/1.0\r\n\r\n", "hello")]
    public void Messages(string text, string subject, string reply, string queues, string headers, string payload)
    {
        var m = Parse(text);
        Assert.That((m.Status, m.Op, m.Subject, m.Reply, m.Queues, m.Headers, m.Payload, m.Consumed),
            Is.EqualTo((LeafParseStatus.Complete, "Message", subject, reply, queues, headers, payload, text.Length)));
    }

    [Test]
    public void A_partial_message_asks_for_its_full_size()
    {
        var m = Parse("LMSG foo 10\r\nhel");
        Assert.That((m.Status, m.Needed), Is.EqualTo((LeafParseStatus.NeedMore, 13 + 12)));
        Assert.That(Parse("LMSG foo 3\r\nabcXY").Status, Is.EqualTo(LeafParseStatus.UnknownOperation));
        Assert.That(Parse("LMSG foo * q 3\r\nabc\r\n").Status, Is.EqualTo(LeafParseStatus.BadArguments));
        Assert.That(Parse("HMSG foo 9 3\r\nabc\r\n").Status, Is.EqualTo(LeafParseStatus.BadArguments));
        Assert.That(Parse("LMSG foo 2000000\r\n").Status, Is.EqualTo(LeafParseStatus.PayloadTooLarge));
        Assert.That(Parse("RMSG $G foo 1\r\na\r\n").Status, Is.EqualTo(LeafParseStatus.UnknownOperation));
    }

    [Test]
    public void Control_operations()
    {
        Assert.That(Parse("PING\r\n").Op, Is.EqualTo("Ping"));
        Assert.That(Parse("pong\r\n").Op, Is.EqualTo("Pong"));
        Assert.That(Parse("+OK\r\n").Op, Is.EqualTo("Ok"));
        Assert.That(Parse("INFO {\"a\":1}\r\n").Op, Is.EqualTo("Info"));
        Assert.That(Parse("CONNECT {}\r\n").Op, Is.EqualTo("Connect"));
        Assert.That(Parse("-ERR 'x'\r\n").Op, Is.EqualTo("Err"));
        Assert.That(Parse(new string('a', 5000)).Status, Is.EqualTo(LeafParseStatus.ControlLineTooLong));
    }

    [Test]
    public void Lines_written_as_nats_server_writes_them()
    {
        static string Line(Func<byte[], int> format)
        {
            var buffer = new byte[256];
            return Encoding.UTF8.GetString(buffer, 0, format(buffer));
        }
        byte[][] queues = [Encoding.UTF8.GetBytes("q1"), Encoding.UTF8.GetBytes("q2")];
        Assert.That(Line(b => LeafProtocolWriter.FormatMessageLine(b, "foo"u8, default, [], -1, 5)), Is.EqualTo("LMSG foo 5\r\n"));
        Assert.That(Line(b => LeafProtocolWriter.FormatMessageLine(b, "foo"u8, "r"u8, [], -1, 5)), Is.EqualTo("LMSG foo r 5\r\n"));
        Assert.That(Line(b => LeafProtocolWriter.FormatMessageLine(b, "foo"u8, "r"u8, queues, -1, 5)), Is.EqualTo("LMSG foo + r q1 q2 5\r\n"));
        Assert.That(Line(b => LeafProtocolWriter.FormatMessageLine(b, "foo"u8, default, queues, 12, 17)), Is.EqualTo("HMSG foo | q1 q2 12 17\r\n"));
        Assert.That(Encoding.UTF8.GetString(LeafProtocolWriter.SubLine("foo", 1)), Is.EqualTo("LS+ foo\r\n"));
        Assert.That(Encoding.UTF8.GetString(LeafProtocolWriter.SubLine("foo q", 4)), Is.EqualTo("LS+ foo q 4\r\n"));
        Assert.That(Encoding.UTF8.GetString(LeafProtocolWriter.SubLine("foo q", 0)), Is.EqualTo("LS- foo q\r\n"));
    }
}
