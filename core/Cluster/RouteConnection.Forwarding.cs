using System.Buffers;
using Nats.Core.Accounts;
using Nats.Core.Connections;
using Nats.Core.Protocol;
using Nats.Core.Subjects;

namespace Nats.Core.Cluster;

public sealed partial class RouteConnection
{
    private const int StackLineLimit = 1024;

    private readonly RouteAccountCache _accounts = new();

    /// <summary>Sends <c>RMSG</c> (or <c>HMSG</c>) with the account and the queue groups picked here.</summary>
    public bool Forward(Account account, in MessageView message, ReadOnlySpan<byte[]> queues)
    {
        if (IsClosed || !IsRegistered)
        {
            return false;
        }
        var withHeaders = HeadersEnabled && !message.Headers.IsEmpty;
        var headers = withHeaders ? message.Headers : default;
        var maxLength = 48 + account.NameBytes.Length + message.Subject.Length + message.Reply.Length;
        foreach (var queue in queues)
        {
            maxLength += queue.Length + 1;
        }
        byte[]? rented = null;
        var line = maxLength <= StackLineLimit ? stackalloc byte[StackLineLimit] : (rented = ArrayPool<byte>.Shared.Rent(maxLength));
        var length = FormatMessageLine(line, account.NameBytes, message.Subject, message.Reply, queues, withHeaders ? headers.Length : -1, headers.Length + message.Payload.Length);
        var sent = SendMessage(line[..length], headers, message.Payload);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        return sent;
    }

    /// <summary>
    /// The router addresses links through <see cref="Forward"/>; a direct delivery to one of
    /// this route's subscriptions (whose owner is its account) forwards the same way.
    /// </summary>
    public bool Deliver(Subscription subscription, in MessageView message)
    {
        if (subscription.Owner is not Account account || IsClosed)
        {
            return false;
        }
        return Forward(account, message, subscription.Queue is null ? [] : [subscription.Queue]);
    }

    /// <summary>Delivers an RMSG/HMSG locally; false when it waits for its account (see <see cref="WaitsForAccount"/>).</summary>
    private bool DeliverInbound(ref RouteCommand command)
    {
        var state = _accounts.Get(command.Account, _manager, out var pending);
        if (state is null)
        {
            return !WaitsForAccount(pending);
        }
        var result = state.Cache.Match(command.Subject);
        if (result.IsEmpty)
        {
            return true;
        }
        var message = new MessageView(command.Subject, command.Reply, command.Headers, command.Payload);
        MessageRouter.Deliver(state.Account, result, message, MessageOrigin.FromLink(this, command.Queues));
        state.Account.CountIn(1, command.Headers.Length + command.Payload.Length);
        return true;
    }

    /// <summary>
    /// <c>RMSG account subject [reply] size</c>, or with queues
    /// <c>RMSG account subject (+ reply | "|") q1 q2 size</c>; HMSG adds the header size.
    /// </summary>
    internal static int FormatMessageLine(Span<byte> line, ReadOnlySpan<byte> account, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply, ReadOnlySpan<byte[]> queues, int headerSize, int totalSize)
    {
        var position = 0;
        ControlLineWriter.Raw(line, ref position, headerSize >= 0 ? "HMSG "u8 : "RMSG "u8);
        ControlLineWriter.Token(line, ref position, account);
        ControlLineWriter.Token(line, ref position, subject);
        if (queues.Length > 0)
        {
            if (!reply.IsEmpty)
            {
                ControlLineWriter.Token(line, ref position, "+"u8);
                ControlLineWriter.Token(line, ref position, reply);
            }
            else
            {
                ControlLineWriter.Token(line, ref position, "|"u8);
            }
            foreach (var queue in queues)
            {
                ControlLineWriter.Token(line, ref position, queue);
            }
        }
        else if (!reply.IsEmpty)
        {
            ControlLineWriter.Token(line, ref position, reply);
        }
        return ControlLineWriter.SizesAndEnd(line, position, headerSize, totalSize);
    }
}
