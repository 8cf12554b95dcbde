using System.Buffers.Text;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nats.Core;
using Nats.Core.Accounts;
using Nats.Core.Connections;
using Nats.Core.Plugins;
using Nats.Core.Subjects;

namespace Nats.Gateway.Tests;

/// <summary>
/// A minimal link written against core's public API only (this assembly has no access to
/// core's internals): it greets with <c>HELLO</c>, answers PING, records PONG, takes
/// <c>SUB subject</c> as interest of the peer in the global account, <c>PUB subject n</c> as a
/// message from the peer, and forwards matching local messages as <c>MSG subject n</c>.
/// </summary>
internal sealed class TextLink : LinkConnection, ILinkSink
{
    // Read loop only.
    private readonly List<Subscription> _interest = [];
    private readonly Account _account;

    public TextLink(NatsServer server, Socket socket, bool solicited, string? tlsSet = null)
        : base(server, socket, ConnectionKind.Leaf, solicited, NullLogger.Instance)
    {
        _account = server.Accounts.Global;
        TlsSet = tlsSet;
    }

    public string? TlsSet { get; }

    public TimeSpan? PingEvery { get; init; }

    public ClosedReason? ClosedWith { get; private set; }

    public LinkKind Kind => LinkKind.Leaf;

    protected override TimeSpan PingInterval => PingEvery ?? base.PingInterval;

    protected override string IdPrefix => "tid";

    protected override async ValueTask<bool> HandshakeAsync()
    {
        if (TlsSet is not null && !await UpgradeToTlsAsync(TlsSet, "localhost"))
        {
            return false;
        }
        Send("HELLO\r\n"u8);
        return true;
    }

    protected override int Parse(Span<byte> data, out int needed)
    {
        needed = 0;
        var position = 0;
        long messages = 0, bytes = 0;
        while (position < data.Length)
        {
            var rest = data[position..];
            var eol = rest.IndexOf("\r\n"u8);
            if (eol < 0)
            {
                break;
            }
            var line = rest[..eol];
            if (line.SequenceEqual("HELLO"u8))
            {
                // The other end's greeting (link to link).
            }
            else if (line.SequenceEqual("PING"u8))
            {
                Send("PONG\r\n"u8);
            }
            else if (line.SequenceEqual("PONG"u8))
            {
                OnPong();
            }
            else if (line.StartsWith("SUB "u8))
            {
                var subscription = new Subscription(line[4..].ToArray(), null, this) { Owner = _account };
                _interest.Add(subscription);
                Server.Router.AddSubscription(_account, subscription);
            }
            else if (line.StartsWith("PUB "u8))
            {
                var arguments = line[4..];
                var space = arguments.IndexOf((byte)' ');
                Utf8Parser.TryParse(arguments[(space + 1)..], out int size, out _);
                var total = eol + 2 + size + 2;
                if (rest.Length < total)
                {
                    needed = total;
                    break;
                }
                var payload = rest.Slice(eol + 2, size);
                Server.Router.Publish(_account, new MessageView(arguments[..space], default, default, payload), MessageOrigin.FromLink(this));
                messages++;
                bytes += size;
                position += total;
                continue;
            }
            else
            {
                Close(ClosedReason.ProtocolViolation, "Unknown Protocol Operation");
                break;
            }
            position += eol + 2;
        }
        CountReceived(messages, bytes);
        return position;
    }

    public bool Forward(Account account, in MessageView message, ReadOnlySpan<byte[]> queues)
    {
        Span<byte> line = stackalloc byte[256];
        var length = Encoding.ASCII.GetBytes("MSG ", line);
        message.Subject.CopyTo(line[length..]);
        length += message.Subject.Length;
        line[length++] = (byte)' ';
        Utf8Formatter.TryFormat(message.Payload.Length, line[length..], out var written);
        length += written;
        line[length++] = (byte)'\r';
        line[length++] = (byte)'\n';
        return SendMessage(line[..length], default, message.Payload);
    }

    public bool Deliver(Subscription subscription, in MessageView message) => Forward(_account, message, []);

    protected override void OnLinkClosed(ClosedReason reason)
    {
        ClosedWith = reason;
        Server.Router.RemoveSubscriptions(_account, _interest);
    }
}
