using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Nats.Core.Accounts;
using Nats.Core.Plugins;
using Nats.Core.Subjects;
using Nats.Core.Logging;

namespace Nats.Core.Connections;

/// <summary>
/// A client inside the server process (<see cref="IServerContext.Connect"/>). Its
/// subscriptions are ordinary subscriptions: they propagate to routes, and messages reach
/// them through the same router as network clients. Each subscription hands its messages
/// to its handler on its own task, so a slow handler never holds up a publisher.
/// </summary>
internal sealed class InProcessConnection : IInProcessConnection
{
    // A handler that falls this far behind loses messages instead of exhausting memory,
    // as a slow network consumer would be cut off.
    private const int MaxPendingMessages = 65_536;

    private readonly NatsServer _server;
    private readonly ConcurrentDictionary<Subscription, Subscriber> _subscribers = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<InProcessMessage>> _requests = new(StringComparer.Ordinal);
    private readonly string _inboxPrefix = "_INBOX." + Security.Nonce.Generate() + ".";
    private readonly Lazy<IDisposable> _inbox;
    private long _requestId;
    private int _disposed;

    public InProcessConnection(NatsServer server, Account account)
    {
        _server = server;
        Account = account;
        _inbox = new Lazy<IDisposable>(() => Subscribe(_inboxPrefix + "*", null, OnReply));
    }

    public Account Account { get; }

    public IDisposable Subscribe(string subject, string? queue, Func<InProcessMessage, ValueTask> handler)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (!SubjectValidator.IsValidSubject(subject))
        {
            throw new ArgumentException($"invalid subject \"{subject}\"", nameof(subject));
        }
        var subscriber = new Subscriber(this, handler);
        var subscription = new Subscription(Encoding.UTF8.GetBytes(subject), queue is null ? null : Encoding.UTF8.GetBytes(queue), subscriber);
        subscriber.Subscription = subscription;
        _subscribers[subscription] = subscriber;
        Account.Sublist.Insert(subscription);
        _server.OnSubscriptionAdded(Account, subscription);
        subscriber.Start();
        return subscriber;
    }

    public void Publish(string subject, ReadOnlySpan<byte> payload, string? reply = null, ReadOnlySpan<byte> headers = default) =>
        PublishCore(subject, payload, reply, headers);

    private bool PublishCore(string subject, ReadOnlySpan<byte> payload, string? reply, ReadOnlySpan<byte> headers)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var subjectBytes = Encoding.UTF8.GetBytes(subject);
        if (!SubjectValidator.IsValidLiteralSubject(subjectBytes))
        {
            throw new ArgumentException($"invalid publish subject \"{subject}\"", nameof(subject));
        }
        var result = Account.Sublist.Match(subjectBytes);
        if (result.IsEmpty)
        {
            return false;
        }
        var message = new MessageView(subjectBytes, reply is null ? default : Encoding.UTF8.GetBytes(reply), headers, payload);
        var delivered = MessageRouter.Deliver(Account, result, message, MessageOrigin.Internal);
        Account.CountIn(1, headers.Length + payload.Length);
        return delivered;
    }

    public async Task<InProcessMessage> RequestAsync(string subject, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        _ = _inbox.Value;
        var reply = _inboxPrefix + Interlocked.Increment(ref _requestId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var pending = new TaskCompletionSource<InProcessMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests[reply] = pending;
        try
        {
            if (!PublishCore(subject, payload.Span, reply, default))
            {
                throw new InvalidOperationException($"no responders for \"{subject}\"");
            }
            return await pending.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _requests.TryRemove(reply, out _);
        }
    }

    private ValueTask OnReply(InProcessMessage message)
    {
        if (_requests.TryRemove(message.Subject, out var pending))
        {
            pending.TrySetResult(message);
        }
        return ValueTask.CompletedTask;
    }

    private void Remove(Subscriber subscriber)
    {
        var subscription = subscriber.Subscription!;
        if (_subscribers.TryRemove(subscription, out _))
        {
            subscription.MarkClosed();
            Account.Sublist.Remove(subscription);
            _server.OnSubscriptionRemoved(Account, subscription);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        // A snapshot: disposing a subscriber removes it from the dictionary, and its handler
        // must still be waited for.
        var subscribers = _subscribers.Values.ToArray();
        foreach (var subscriber in subscribers)
        {
            subscriber.Dispose();
        }
        foreach (var subscriber in subscribers)
        {
            await subscriber.Completion.ConfigureAwait(false);
        }
    }

    /// <summary>One subscription's queue of copied messages and the task that runs its handler.</summary>
    private sealed class Subscriber(InProcessConnection owner, Func<InProcessMessage, ValueTask> handler) : IMessageSink, IDisposable
    {
        private readonly Channel<InProcessMessage> _queue = Channel.CreateUnbounded<InProcessMessage>(new UnboundedChannelOptions { SingleReader = true });
        private int _pending;

        public Subscription? Subscription { get; set; }

        public Task Completion { get; private set; } = Task.CompletedTask;

        public void Start() => Completion = Task.Run(RunAsync);

        public bool Deliver(Subscription subscription, in MessageView message)
        {
            if (subscription.IsClosed)
            {
                return false;
            }
            if (Interlocked.Increment(ref _pending) > MaxPendingMessages)
            {
                Interlocked.Decrement(ref _pending);
                return false;
            }
            subscription.IncrementDelivered();
            return _queue.Writer.TryWrite(new InProcessMessage(
                Encoding.UTF8.GetString(message.Subject),
                message.Reply.IsEmpty ? null : Encoding.UTF8.GetString(message.Reply),
                message.Headers.ToArray(),
                message.Payload.ToArray()));
        }

        private async Task RunAsync()
        {
            await foreach (var message in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                Interlocked.Decrement(ref _pending);
                try
                {
                    await handler(message).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    ServerLog.InProcessHandlerFailed(owner._server.Logger, ex, message.Subject);
                }
            }
        }

        public void Dispose()
        {
            owner.Remove(this);
            _queue.Writer.TryComplete();
        }
    }
}
