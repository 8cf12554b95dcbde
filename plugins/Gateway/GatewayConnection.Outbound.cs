using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Microsoft.Extensions.Logging;
using Nats.Core.Accounts;
using Nats.Core.Connections;
using Nats.Core.Subjects;

namespace Nats.Gateway;

internal sealed partial class GatewayConnection
{
    private const int StackLineLimit = 1024;

    // Outbound only: the remote's interest. Null for inbound connections.
    private readonly OutboundInterest? _outbound;

    // Set once by the manager when this outbound connection is the one for its remote.
    private volatile bool _registered;

    /// <summary>The router (for the interest this connection holds).</summary>
    internal MessageRouter Router => Server.Router;

    /// <summary>The remote's interest (outbound connections).</summary>
    internal OutboundInterest? Interest => _outbound;

    /// <summary>Whether the peer takes headers.</summary>
    internal bool Headers => _headers;

    /// <summary>Whether the peer switches every account to interest-only (2.9+).</summary>
    internal bool InterestOnlyPeer => _interestOnlyPeer;

    /// <summary>Marks this as the registered outbound connection of its remote.</summary>
    internal void MarkRegistered() => _registered = true;

    /// <summary>
    /// Sends <c>RMSG</c> (or <c>HMSG</c>) to the remote cluster, as nats-server's
    /// <c>sendMsgToGateways</c>: a <c>_GR_.</c> subject only to the cluster it names; a reply
    /// of a recent local subscription mapped to <c>_GR_.&lt;cluster&gt;.&lt;server&gt;.</c> so the
    /// response finds its way back before our interest does; the queue groups no local member
    /// took listed after <c>|</c> or <c>+ reply</c>. Declines when the remote has no interest.
    /// </summary>
    public bool Forward(Account account, in MessageView message, ReadOnlySpan<byte[]> queues)
    {
        if (!_registered || IsClosed || _outbound is null)
        {
            return false;
        }
        var subject = message.Subject;
        byte[]? routedSubject = null;
        bool plain;
        if (GatewayReplies.IsRouted(subject, out var oldPrefix))
        {
            // A reply on its way home: only to the cluster its hash names.
            if (!_remote!.Owns(subject, oldPrefix))
            {
                return false;
            }
            plain = true;
            queues = [];
        }
        else if (_manager.Replies.TryGetRouted(account, subject, this, out routedSubject))
        {
            plain = true;
            queues = [];
        }
        else
        {
            plain = _outbound.HasPlainInterest(account, subject, !queues.IsEmpty);
            if (!plain && queues.IsEmpty)
            {
                return false;
            }
        }
        if (routedSubject is not null)
        {
            subject = routedSubject;
        }

        var accountName = _manager.Accounts.NameOf(account);
        Span<byte> replyScratch = stackalloc byte[256];
        scoped ReadOnlySpan<byte> reply = message.Reply;
        if (!reply.IsEmpty && reply.Length + 24 <= replyScratch.Length && _manager.ShouldMapReply(account, reply))
        {
            var prefix = _useOldPrefix ? _manager.OldReplyPrefix : _manager.ReplyPrefix;
            prefix.CopyTo(replyScratch);
            reply.CopyTo(replyScratch[prefix.Length..]);
            reply = replyScratch[..(prefix.Length + reply.Length)];
        }
        var withHeaders = _headers && !message.Headers.IsEmpty;
        var headers = withHeaders ? message.Headers : default;

        var maxLength = 48 + accountName.Length + subject.Length + reply.Length;
        foreach (var queue in queues)
        {
            maxLength += queue.Length + 1;
        }
        byte[]? rented = null;
        var line = maxLength <= StackLineLimit ? stackalloc byte[StackLineLimit] : (rented = ArrayPool<byte>.Shared.Rent(maxLength));
        var length = FormatMessageLine(line, accountName, subject, reply, queues, withHeaders ? headers.Length : -1, headers.Length + message.Payload.Length);
        var sent = SendMessage(line[..length], headers, message.Payload);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        return sent;
    }

    /// <summary>Direct deliveries to one of our subscriptions forward the same way.</summary>
    public bool Deliver(Subscription subscription, in MessageView message) =>
        subscription.Owner is Account account && Forward(account, message, subscription.Queue is null ? [] : [subscription.Queue]);

    private static int FormatMessageLine(Span<byte> line, ReadOnlySpan<byte> account, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply,
        ReadOnlySpan<byte[]> queues, int headerLength, int totalLength)
    {
        var position = 0;
        Append(line, ref position, headerLength >= 0 ? "HMSG "u8 : "RMSG "u8);
        Append(line, ref position, account);
        line[position++] = (byte)' ';
        Append(line, ref position, subject);
        line[position++] = (byte)' ';
        if (!queues.IsEmpty)
        {
            if (!reply.IsEmpty)
            {
                Append(line, ref position, "+ "u8);
                Append(line, ref position, reply);
                line[position++] = (byte)' ';
            }
            else
            {
                Append(line, ref position, "| "u8);
            }
            foreach (var queue in queues)
            {
                Append(line, ref position, queue);
                line[position++] = (byte)' ';
            }
        }
        else if (!reply.IsEmpty)
        {
            Append(line, ref position, reply);
            line[position++] = (byte)' ';
        }
        if (headerLength >= 0)
        {
            Utf8Formatter.TryFormat(headerLength, line[position..], out var written);
            position += written;
            line[position++] = (byte)' ';
        }
        Utf8Formatter.TryFormat(totalLength, line[position..], out var sizeLength);
        position += sizeLength;
        line[position++] = (byte)'\r';
        line[position++] = (byte)'\n';
        return position;
    }

    private static void Append(Span<byte> line, ref int position, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(line[position..]);
        position += bytes.Length;
    }

    /// <summary>RS+ <c>&lt;acc&gt; &lt;subj&gt; [&lt;queue&gt; &lt;weight&gt;]</c>, on an outbound connection only.</summary>
    private void ProcessRemoteSub(ReadOnlySpan<byte> arguments)
    {
        if (_outbound is null)
        {
            ViolateDirection("RS+");
            return;
        }
        var text = Encoding.UTF8.GetString(arguments);
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is not (2 or 4) || (parts.Length == 4 && !int.TryParse(parts[3], out _)))
        {
            GatewayLog.BadInterestArguments(Logger, this, text);
            Close(ClosedReason.ParseError);
            return;
        }
        if (_manager.Accounts.Find(Encoding.UTF8.GetBytes(parts[0])) is not { } account)
        {
            return;
        }
        var queue = parts.Length == 4 ? Encoding.UTF8.GetBytes(parts[2]) : null;
        var weight = parts.Length == 4 ? Math.Max(1, int.Parse(parts[3])) : 1;
        var key = parts.Length == 4 ? $"{parts[1]} {parts[2]}" : parts[1];
        _outbound.Add(key, account, Encoding.UTF8.GetBytes(parts[1]), queue, weight);
    }

    /// <summary>RS- <c>&lt;acc&gt; &lt;subj&gt; [&lt;queue&gt;]</c>, on an outbound connection only.</summary>
    private void ProcessRemoteUnsub(ReadOnlySpan<byte> arguments)
    {
        if (_outbound is null)
        {
            ViolateDirection("RS-");
            return;
        }
        var parts = Encoding.UTF8.GetString(arguments).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is not (2 or 3))
        {
            Close(ClosedReason.ParseError);
            return;
        }
        if (_manager.Accounts.Find(Encoding.UTF8.GetBytes(parts[0])) is not { } account)
        {
            return;
        }
        var queue = parts.Length == 3 ? Encoding.UTF8.GetBytes(parts[2]) : null;
        var key = parts.Length == 3 ? $"{parts[1]} {parts[2]}" : parts[1];
        _outbound.Remove(key, account, Encoding.UTF8.GetBytes(parts[1]), queue);
    }

    /// <summary>A+ <c>&lt;acc&gt;</c>: interest in the account again.</summary>
    private void ProcessAccountSub(ReadOnlySpan<byte> arguments)
    {
        if (_outbound is not null && _manager.Accounts.Find(arguments) is { } account)
        {
            _outbound.AcceptAccount(account, optimisticPeer: !_interestOnlyPeer);
        }
    }

    /// <summary>A- <c>&lt;acc&gt;</c>: no interest in the account at all.</summary>
    private void ProcessAccountUnsub(ReadOnlySpan<byte> arguments)
    {
        if (_outbound is not null && _manager.Accounts.Find(arguments) is { } account)
        {
            _outbound.RefuseAccount(account);
        }
    }

    private void ViolateDirection(string op)
    {
        GatewayLog.WrongDirection(Logger, this, op);
        Close(ClosedReason.ProtocolViolation);
    }
}
