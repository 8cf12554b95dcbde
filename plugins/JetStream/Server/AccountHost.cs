using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Nats.Core;
using Nats.Core.Accounts;
using Nats.Core.Subjects;
using Nats.JetStream.Engine;

namespace Nats.JetStream.Server;

/// <summary>
/// One JetStream-enabled account on the server: its <see cref="JsAccount"/> and the
/// subscriptions that feed it: <c>$JS.API.&gt;</c> (and <c>$JS.&lt;domain&gt;.API.&gt;</c>),
/// <c>$JS.ACK.&gt;</c>, <c>$JS.FC.&gt;</c> and every stream's subjects (stream capture).
/// </summary>
/// <remarks>
/// API requests are copied and handled one at a time on the account's worker (they create
/// files and fsync); pull requests, acks, flow control replies and captured messages are handled
/// on the publisher's thread (the engine only queues there), unless they arrive from inside the
/// engine's own output, which they then join the worker's queue (the engine may hold its locks).
/// Fields: <c>_captures</c> is guarded by <c>_subsGate</c>; the rest is set at construction.
/// </remarks>
internal sealed class AccountHost : IAsyncDisposable
{
    private readonly NatsServer _server;
    private readonly ILogger _logger;
    private readonly RouterOutput _output;
    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _worker;
    private readonly List<Subscription> _fixed = [];
    private readonly Lock _subsGate = new();
    private readonly Dictionary<(JsStream Stream, string Subject), Subscription> _captures = [];
    private readonly string? _domainApiPrefix;
    private readonly JsAccountOptions _options;
    private int _apiPending;       // Interlocked: API requests queued, not yet taken by the worker nor dropped
    private long _apiNumber;       // Interlocked: numbers the API requests queued
    private long _apiDropThrough;  // Interlocked: API requests numbered up to this are dropped unanswered
    private int _disposed;

    public AccountHost(NatsServer server, Account account, JsAccountOptions options, ILogger logger)
    {
        _server = server;
        Account = account;
        _logger = logger;
        _options = options;
        _output = new RouterOutput(server.Router, account);
        Js = new JsAccount(options, _output, logger);
        _domainApiPrefix = string.IsNullOrEmpty(options.Domain) ? null : $"$JS.{options.Domain}.API.";
        _worker = Task.Run(RunWorkerAsync);

        var api = new ApiSink(this);
        Add("$JS.API.>", api);
        if (_domainApiPrefix is not null)
        {
            // Clients and leafs reach the domain's API, $KV and $OBJ through the account's mappings
            // (nats-server's enableAllJetStreamServiceImportsAndMappings); in-process connections
            // (MQTT's js_domain), which publish unmapped, through this subscription.
            server.Accounts.AddMappings(account, JetStreamDomainMappings.ToLocal(options.Domain!));
            Add(_domainApiPrefix + ">", api);
        }
        var acks = new AckSink(this);
        Add("$JS.ACK.>", acks);
        Add("$JS.FC.>", acks);
        SyncCaptures();
        // Other plugins learn it from the account (a leaf link's CONNECT says so to its hub).
        account.SetCapability(AccountCapabilities.JetStream, true);
    }

    public Account Account { get; }

    public JsAccount Js { get; }

    private void Add(string subject, IMessageSink sink)
    {
        var sub = new Subscription(Encoding.UTF8.GetBytes(subject), null, sink) { Owner = Account };
        _server.Router.AddSubscription(Account, sub);
        _fixed.Add(sub);
    }

    /// <summary>Subscribes to the subjects of every stream and drops subscriptions of streams gone or changed.</summary>
    public void SyncCaptures()
    {
        var wanted = new HashSet<(JsStream, string)>();
        foreach (var name in Js.StreamNames())
        {
            if (Js.FindStream(name) is { } stream)
            {
                foreach (var subject in stream.Config.Subjects ?? [])
                {
                    wanted.Add((stream, subject));
                }
            }
        }
        lock (_subsGate)
        {
            if (_disposed != 0)
            {
                return;
            }
            var gone = _captures.Where(kv => !wanted.Contains(kv.Key)).ToList();
            if (gone.Count > 0)
            {
                _server.Router.RemoveSubscriptions(Account, gone.Select(kv => kv.Value).ToList());
                foreach (var kv in gone)
                {
                    _captures.Remove(kv.Key);
                }
            }
            foreach (var key in wanted)
            {
                if (!_captures.ContainsKey(key))
                {
                    var sub = new Subscription(Encoding.UTF8.GetBytes(key.Item2), null, new CaptureSink(this, key.Item1)) { Owner = Account };
                    _server.Router.AddSubscription(Account, sub);
                    _captures[key] = sub;
                }
            }
        }
    }

    private enum WorkKind
    {
        Api,
        Capture,
        Ack,
    }

    private sealed record Work(WorkKind Kind, string Subject, string? Reply, byte[] Headers, byte[] Payload, JsStream? Stream = null)
    {
        /// <summary>For API requests: the order they were queued in (see <see cref="EnqueueApi"/>).</summary>
        public long Number { get; init; }
    }

    private static Work Copy(WorkKind kind, in MessageView message, JsStream? stream = null) => new(
        kind,
        Encoding.UTF8.GetString(message.Subject),
        message.Reply.IsEmpty ? null : Encoding.UTF8.GetString(message.Reply),
        message.Headers.ToArray(),
        message.Payload.ToArray(),
        stream);

    private void Enqueue(Work work) => _work.Writer.TryWrite(work);

    /// <summary>
    /// Queues an API request for the worker. As nats-server's <c>apiDispatch</c>: when the queue
    /// reaches <see cref="JsAccountOptions.ApiQueueLimit"/>, every request waiting in it is dropped
    /// (their clients time out, nothing is half done) and an <c>API.LIMIT_REACHED</c> advisory in
    /// the system account says how many (none without a system account). Publishes, acks and pull requests never wait here, so a client flooding the API
    /// does not hold up anyone's messages.
    /// </summary>
    private void EnqueueApi(in MessageView message)
    {
        var number = Interlocked.Increment(ref _apiNumber);
        var pending = Interlocked.Increment(ref _apiPending);
        Enqueue(Copy(WorkKind.Api, message) with { Number = number });
        if (pending < _options.ApiQueueLimit)
        {
            return;
        }
        long previous;
        do
        {
            previous = Interlocked.Read(ref _apiDropThrough);
        }
        while (previous < number && Interlocked.CompareExchange(ref _apiDropThrough, number, previous) != previous);
        var dropped = Math.Max(0, Interlocked.Exchange(ref _apiPending, 0));
        JetStreamLog.ApiQueueLimit(_logger, Account.Name, dropped);
        // In the system account, as nats-server's publishAdvisory(nil, …): operators watch it there.
        if (_server.Accounts.System is { } system)
        {
            Advisories.ApiLimitReached(new RouterOutput(_server.Router, system), _options.Domain, _options.ServerName, dropped);
        }
    }

    private async Task RunWorkerAsync()
    {
        await foreach (var work in _work.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                switch (work.Kind)
                {
                    case WorkKind.Api:
                        if (work.Number <= Interlocked.Read(ref _apiDropThrough))
                        {
                            break; // dropped when the queue passed its limit
                        }
                        Interlocked.Decrement(ref _apiPending);
                        HandleApi(work.Subject, work.Reply, work.Headers, work.Payload);
                        break;
                    case WorkKind.Capture:
                        work.Stream!.ProcessMessage(work.Subject, work.Reply, work.Headers, work.Payload);
                        break;
                    case WorkKind.Ack:
                        HandleAckOrFlowControl(work.Subject, work.Reply, work.Payload);
                        break;
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                JetStreamLog.ApiRequestFailed(_logger, e, work.Subject, Account.Name);
            }
        }
    }

    private string Canonical(string subject) =>
        _domainApiPrefix is not null && subject.StartsWith(_domainApiPrefix, StringComparison.Ordinal)
            ? "$JS.API." + subject[_domainApiPrefix.Length..]
            : subject;

    private void HandleApi(string subject, string? reply, byte[] headers, byte[] body)
    {
        subject = Canonical(subject);
        if (subject.StartsWith("$JS.API.DIRECT.GET.", StringComparison.Ordinal))
        {
            if (reply is not null && Js.HandleDirectGet(subject, body) is { } direct)
            {
                _output.Publish(reply, null, direct.Headers, direct.Payload.Span);
            }
            return;
        }
        var response = Js.HandleApi(subject, reply, headers, body);
        if (subject.StartsWith("$JS.API.STREAM.", StringComparison.Ordinal))
        {
            // Before the answer: a client publishes to a stream the moment it learns it exists,
            // and a publish with no capture subscription yet would get "no responders".
            SyncCaptures();
        }
        if (response is not null && reply is not null)
        {
            _output.Publish(reply, null, default, response);
        }
    }

    private void HandleAckOrFlowControl(string subject, string? reply, ReadOnlySpan<byte> body)
    {
        if (subject.StartsWith("$JS.FC.", StringComparison.Ordinal))
        {
            Js.HandleFlowControl(subject);
        }
        else
        {
            Js.HandleAck(subject, reply, body);
        }
    }

    private static bool IsPullRequest(ReadOnlySpan<byte> subject) => subject.StartsWith("$JS.API.CONSUMER.MSG.NEXT."u8);

    /// <summary><c>$JS.API.&gt;</c>: pull requests at once, everything else on the worker.</summary>
    private sealed class ApiSink(AccountHost host) : ILocalOnlySink
    {
        public bool Deliver(Subscription subscription, in MessageView message)
        {
            if (subscription.IsClosed)
            {
                return false;
            }
            if (!RouterOutput.InOutput && IsPullRequest(message.Subject))
            {
                host.Js.HandleApi(Encoding.UTF8.GetString(message.Subject),
                    message.Reply.IsEmpty ? null : Encoding.UTF8.GetString(message.Reply), message.Headers, message.Payload);
                return true;
            }
            host.EnqueueApi(message);
            return true;
        }
    }

    /// <summary><c>$JS.ACK.&gt;</c> and <c>$JS.FC.&gt;</c>.</summary>
    private sealed class AckSink(AccountHost host) : ILocalOnlySink
    {
        public bool Deliver(Subscription subscription, in MessageView message)
        {
            if (subscription.IsClosed)
            {
                return false;
            }
            if (RouterOutput.InOutput)
            {
                host.Enqueue(Copy(WorkKind.Ack, message));
                return true;
            }
            host.HandleAckOrFlowControl(Encoding.UTF8.GetString(message.Subject),
                message.Reply.IsEmpty ? null : Encoding.UTF8.GetString(message.Reply), message.Payload);
            return true;
        }
    }

    /// <summary>One subject of one stream: what is published there is stored.</summary>
    private sealed class CaptureSink(AccountHost host, JsStream stream) : ILocalOnlySink
    {
        public bool Deliver(Subscription subscription, in MessageView message)
        {
            if (subscription.IsClosed)
            {
                return false;
            }
            if (RouterOutput.InOutput)
            {
                host.Enqueue(Copy(WorkKind.Capture, message, stream));
                return true;
            }
            stream.ProcessMessage(Encoding.UTF8.GetString(message.Subject),
                message.Reply.IsEmpty ? null : Encoding.UTF8.GetString(message.Reply), message.Headers, message.Payload);
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        List<Subscription> all;
        lock (_subsGate)
        {
            all = [.. _fixed, .. _captures.Values];
            _captures.Clear();
        }
        Account.SetCapability(AccountCapabilities.JetStream, false);
        _server.Router.RemoveSubscriptions(Account, all);
        _work.Writer.TryComplete();
        await _worker.ConfigureAwait(false);
        Js.Dispose();
    }
}
