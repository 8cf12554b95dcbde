using System.Text;
using Nats.Core.Protocol;

namespace Nats.Core.Tests.Protocol;

/// <summary>
/// The parser's shortcut for the plain PUB must give exactly what the general path gives, for
/// every spelling and every prefix of an operation, and must take the frames publishers send.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class ClientProtocolParserTests
{
    private const int MaxControlLine = 4096;
    private const long MaxPayload = 1024 * 1024;

    private static readonly string[] Plain =
    [
        "PUB foo 5\r\nhello\r\n",
        "pub foo 0\r\n\r\n",
        "Pub foo.bar.baz _INBOX.abc.def 3\r\nabc\r\n",
        "PUB a 11\r\nhe\r\nllo wor\r\n",
        "PUB \u00e4\u00f6 2\r\nhi\r\n",
        "PUB foo 000000007\r\n1234567\r\n",
        "PUB " + new string('s', MaxControlLine - 2) + " 1\r\nx\r\n",
    ];

    private static readonly string[] Unusual =
    [
        "PUB\tfoo 5\r\nhello\r\n",
        "PUB  foo 5\r\nhello\r\n",
        "PUB foo  5\r\nhello\r\n",
        "PUB foo\t5\r\nhello\r\n",
        "PUB foo 5 \r\nhello\r\n",
        "PUB foo bar\t5\r\nhello\r\n",
        "PUB foo bar  5\r\nhello\r\n",
        "PUB foo\tbar 5\r\nhello\r\n",
        "PUB foo bar\tbaz 5\r\nhello\r\n",
        "PUB foo bar baz 5\r\nhello\r\n",
        "PUB foo 5\nhello\r\n",
        "PUB foo 5\r\nhelloXY",
        "PUB foo 5\r\nhello\rX",
        "PUB foo 5\r\nhello\nX",
        "PUB foo 1234567890\r\n",
        "PUB foo 2000000\r\n",
        "PUB foo -5\r\nhello\r\n",
        "PUB foo 5x\r\nhello\r\n",
        "PUB foo x5\r\nhello\r\n",
        "PUB 5\r\nhello\r\n",
        "PUB  5\r\nhello\r\n",
        "PUB \r\n",
        "PUB\r\n",
        "PUBX foo 5\r\nhello\r\n",
        "PUP foo 5\r\nhello\r\n",
        "HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n",
        "SUB foo 1\r\n",
        "PING\r\n",
        "PUB " + new string('s', MaxControlLine) + " 1\r\nx\r\n",
        "PUB foo 999999\r\n",
    ];

    [Test]
    public void The_shortcut_takes_the_plain_pub_frames()
    {
        foreach (var text in Plain)
        {
            ClientCommand command = default;
            Assert.That(ClientProtocolParser.TryParsePlainPub(Encoding.UTF8.GetBytes(text), MaxControlLine, MaxPayload, ref command, out _), Is.True, text);
        }
    }

    [Test]
    public void The_shortcut_leaves_every_unusual_spelling_to_the_general_path()
    {
        foreach (var text in Unusual)
        {
            ClientCommand command = default;
            Assert.That(ClientProtocolParser.TryParsePlainPub(Encoding.UTF8.GetBytes(text), MaxControlLine, MaxPayload, ref command, out _), Is.False, text);
        }
    }

    [Test]
    public void Every_prefix_of_every_frame_parses_as_the_general_path_parses_it()
    {
        var checkedCases = 0;
        foreach (var text in Plain.Concat(Unusual))
        {
            var frame = Encoding.UTF8.GetBytes(text + "PING\r\n");
            for (var length = 0; length <= frame.Length; length++)
            {
                var what = $"{text.Replace("\r", "\\r").Replace("\n", "\\n")} [..{length}]";
                AssertSameAsGeneral(frame.AsSpan(0, length), what);
                checkedCases++;
            }
        }
        Assert.That(checkedCases, Is.GreaterThan(500));
    }

    [Test]
    public void Limits_apply_as_on_the_general_path()
    {
        var frame = Encoding.ASCII.GetBytes("PUB foo.bar reply 10\r\n0123456789\r\n");
        foreach (var (maxControlLine, maxPayload) in new[] { (16, MaxPayload), (13, MaxPayload), (12, MaxPayload), (MaxControlLine, 10L), (MaxControlLine, 9L), (MaxControlLine, 0L) })
        {
            var actual = Run(frame, maxControlLine, maxPayload, general: false);
            var expected = Run(frame, maxControlLine, maxPayload, general: true);
            Assert.That(actual, Is.EqualTo(expected), $"max_control_line {maxControlLine}, max_payload {maxPayload}");
        }
        Assert.That(Run(frame, 12, MaxPayload, general: false).Status, Is.EqualTo(ParseStatus.ControlLineTooLong));
        Assert.That(Run(frame, MaxControlLine, 9, general: false).Status, Is.EqualTo(ParseStatus.PayloadTooLarge));
    }

    private static void AssertSameAsGeneral(ReadOnlySpan<byte> buffer, string what)
    {
        var actual = Run(buffer, MaxControlLine, MaxPayload, general: false);
        var expected = Run(buffer, MaxControlLine, MaxPayload, general: true);
        Assert.That(actual, Is.EqualTo(expected), what);
    }

    private static Parsed Run(ReadOnlySpan<byte> buffer, int maxControlLine, long maxPayload, bool general)
    {
        ClientCommand command = default;
        int consumed;
        int needed;
        var status = general
            ? ClientProtocolParser.ParseGeneral(buffer, maxControlLine, maxPayload, ref command, out consumed, out needed)
            : ClientProtocolParser.Parse(buffer, maxControlLine, maxPayload, out command, out consumed, out needed);
        if (status != ParseStatus.Complete)
        {
            // Only the status and the size still needed mean anything then.
            return new Parsed(status, 0, needed, ClientOp.None, "", "", "", "");
        }
        return new Parsed(status, consumed, needed, command.Op, Text(command.Subject), Text(command.Reply), Text(command.Headers), Text(command.Payload));
    }

    private static string Text(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);

    private sealed record Parsed(ParseStatus Status, int Consumed, int Needed, ClientOp Op, string Subject, string Reply, string Headers, string Payload);
}
