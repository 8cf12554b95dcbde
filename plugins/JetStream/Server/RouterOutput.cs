using System.Text;
using Nats.Core.Accounts;
using Nats.Core.Connections;
using Nats.Core.Subjects;
using Nats.JetStream.Engine;

namespace Nats.JetStream.Server;

/// <summary>
/// The engine's way out for one account, on the kernel's router: replies, pub acks and
/// advisories are published in the account as internal messages; consumer deliveries go to
/// the deliver subject (or pull reply) showing the stored subject (<see cref="MessageRouter.PublishTo"/>).
/// Stateless apart from per-thread scratch; any thread may call it.
/// </summary>
internal sealed class RouterOutput(MessageRouter router, Account account) : IJetStreamOutput
{
    // Stack room for a subject's UTF-8: any subject of up to 255 characters (ack subjects with
    // long stream and consumer names) stays off the pool.
    private const int StackBytes = 768;

    // Per thread: how deep this thread is inside an output call (our own sinks reached from
    // here must queue, not call back into the engine), and the flush batch of a burst.
    [ThreadStatic] private static int t_depth;
    [ThreadStatic] private static FlushBatch? t_batch;
    [ThreadStatic] private static int t_batchDepth;

    /// <summary>True while this thread is inside an output call (the engine may hold its locks).</summary>
    public static bool InOutput => t_depth > 0;

    public void Publish(string subject, string? reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
    {
        using var subjectBytes = new Utf8Scratch(subject, stackalloc byte[StackBytes]);
        using var replyBytes = new Utf8Scratch(reply ?? "", stackalloc byte[StackBytes]);
        t_depth++;
        try
        {
            router.Publish(account, new MessageView(subjectBytes.Bytes, replyBytes.Bytes, headers, payload), MessageOrigin.Internal);
        }
        finally
        {
            t_depth--;
        }
    }

    public void Deliver(string deliverTo, string subject, string? reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
    {
        using var toBytes = new Utf8Scratch(deliverTo, stackalloc byte[StackBytes]);
        using var subjectBytes = new Utf8Scratch(subject, stackalloc byte[StackBytes]);
        using var replyBytes = new Utf8Scratch(reply ?? "", stackalloc byte[StackBytes]);
        t_depth++;
        try
        {
            router.PublishTo(account, toBytes.Bytes, new MessageView(subjectBytes.Bytes, replyBytes.Bytes, headers, payload), MessageOrigin.Internal);
        }
        finally
        {
            t_depth--;
        }
    }

    public bool HasInterest(string subject) => account.Sublist.HasInterest(subject);

    public IDisposable? Subscribe(string subject, InboundMessageHandler handler)
    {
        var subscription = new Subscription(Encoding.UTF8.GetBytes(subject), null, new InboundSink(handler)) { Owner = account };
        router.AddSubscription(account, subscription);
        return new Unsubscriber(router, account, subscription);
    }

    /// <summary>A subscription of the engine's own (<see cref="Subscribe"/>): hands each message to its handler, on the publisher's thread.</summary>
    private sealed class InboundSink(InboundMessageHandler handler) : ILocalOnlySink
    {
        public bool Deliver(Subscription subscription, in MessageView message)
        {
            if (subscription.IsClosed)
            {
                return false;
            }
            handler(Encoding.UTF8.GetString(message.Subject), message.Reply.IsEmpty ? null : Encoding.UTF8.GetString(message.Reply), message.Headers, message.Payload);
            return true;
        }
    }

    private sealed class Unsubscriber(MessageRouter router, Account account, Subscription subscription) : IDisposable
    {
        public void Dispose() => router.RemoveSubscription(account, subscription);
    }

    public void BeginBatch()
    {
        if (t_batchDepth++ == 0)
        {
            // On a store's sync thread (not the pool's), pub acks are sent from here, as
            // nats-server's stream goroutine writes them: waking each client's writer task on
            // the pool for a one-ack flush was a hand-off per synchronous publish (issue 16).
            // Pool threads (consumer passes) keep handing large deliveries to the writers.
            (t_batch ??= new FlushBatch { FlushesInPlace = !Thread.CurrentThread.IsThreadPoolThread }).Begin();
        }
    }

    public void EndBatch()
    {
        if (--t_batchDepth == 0)
        {
            t_batch!.End();
        }
    }
}
