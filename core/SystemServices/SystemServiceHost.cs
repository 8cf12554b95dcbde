using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nats.Core.Accounts;
using Nats.Core.Monitoring;
using Nats.Core.Subjects;
using Nats.Core.Logging;

namespace Nats.Core.SystemServices;

/// <summary>
/// The kernel's <see cref="ISystemServices"/>: request registrations, the envelope and JSON of
/// answers, and the <c>server</c> block. The kernel's own requests are in
/// <see cref="KernelRequests"/>, events in <see cref="SystemEvents"/>, the periodic STATSZ in
/// <see cref="StatszPublisher"/>.
/// </summary>
internal sealed class SystemServiceHost : ISystemServices, IAsyncDisposable
{
    internal const string ServerPingPrefix = "$SYS.REQ.SERVER.PING";

    private readonly NatsServer _server;
    private readonly ILogger _logger;
    // Guarded by _lock: what is registered (from plugins' Configure, any thread) and the client.
    private readonly Lock _lock = new();
    private readonly List<Registration> _registrations = [];
    private readonly List<Action<ServerStatsz>> _statszContributors = [];
    private SystemClient? _client;
    // Written by the JetStream plugin, read by every message's server block.
    private volatile string? _domain;
    private volatile bool _jetStream;
    // Incremented by whichever thread sends a message.
    private long _sequence;

    public SystemServiceHost(NatsServer server)
    {
        _server = server;
        _logger = server.LoggerFactory.CreateLogger("Nats.SystemServices");
        Account = server.Accounts.System;
        Events = new SystemEvents(server, this);
        Statsz = new StatszPublisher(server, this);
        if (Account is not null)
        {
            KernelRequests.Register(server, this);
        }
    }

    public bool IsEnabled => Account is not null;

    public Account? Account { get; }

    /// <summary>Connection, auth and server events.</summary>
    public SystemEvents Events { get; }

    /// <summary>The STATSZ message and its timer.</summary>
    public StatszPublisher Statsz { get; }

    internal string? Domain => _domain;

    /// <summary>Subscribes everything registered so far; later registrations subscribe at once.</summary>
    public void Start()
    {
        if (Account is null)
        {
            return;
        }
        lock (_lock)
        {
            _client = new SystemClient(_server, Account);
            foreach (var registration in _registrations)
            {
                registration.Subscribe(_client);
            }
            new SystemImports(_server, _client, this, Account).Start();
        }
        Statsz.Start();
    }

    /// <summary>True between <see cref="Start"/> and <see cref="DisposeAsync"/>: events are published.</summary>
    public bool IsActive
    {
        get
        {
            lock (_lock)
            {
                return _client is not null;
            }
        }
    }

    /// <summary>
    /// Whether anyone (a local subscriber, or a route or link that forwards) would receive a
    /// message on <paramref name="subject"/>: events nobody listens to are not even built, so a
    /// storm of connects or failed logins costs a sublist lookup each.
    /// </summary>
    public bool HasInterest(string subject) => IsActive && !Account!.Sublist.Match(subject).IsEmpty;

    /// <summary>Shutdown: the SHUTDOWN event goes out while routes are still up. False when nothing was sent.</summary>
    public bool AnnounceShutdown()
    {
        Statsz.Stop();
        if (!IsActive)
        {
            return false;
        }
        Events.ServerShutdown();
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        Statsz.Stop();
        SystemClient? client;
        lock (_lock)
        {
            client = _client;
            _client = null;
        }
        if (client is not null)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
    }

    public IDisposable AddServerRequest(string name, SystemRequestHandler handler)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(handler);
        return Add(new Registration(this, [$"{ServerPingPrefix}.{name}", $"$SYS.REQ.SERVER.{_server.ServerId}.{name}"], null, handler, wrap: true));
    }

    public IDisposable AddAccountRequest(string name, SystemRequestHandler handler)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(handler);
        return Add(new Registration(this, [$"$SYS.REQ.ACCOUNT.*.{name}"], AccountToken, handler, wrap: true));
    }

    /// <summary>A request answered in the envelope, on exactly the given subjects.</summary>
    internal IDisposable AddWrappedRequest(string[] subjects, Func<string, string?>? accountOf, SystemRequestHandler handler) =>
        Add(new Registration(this, subjects, accountOf, handler, wrap: true));

    /// <summary>
    /// A request answered in the envelope only when a local client makes it through its account's
    /// system import (<see cref="HandleImported"/>, which passes <see cref="SystemRequest.Requester"/>):
    /// nothing subscribes to <paramref name="subjects"/>, so other servers never see it.
    /// </summary>
    internal IDisposable AddImportedRequest(string[] subjects, Func<string, string?> accountOf, SystemRequestHandler handler) =>
        Add(new Registration(this, subjects, accountOf, handler, wrap: true) { ImportedOnly = true });

    /// <summary>A request answered with a bare body (STATSZ, IDZ), on exactly the given subjects.</summary>
    /// <remarks>A request without a reply subject is answered on <paramref name="noReplySubject"/>, or not at all when null.</remarks>
    internal IDisposable AddRawRequest(string[] subjects, string? noReplySubject, SystemRequestHandler handler) =>
        Add(new Registration(this, subjects, null, handler, wrap: false) { NoReplySubject = noReplySubject });

    public void Publish(string subject, object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Publish(subject, Serialize(message));
    }

    public void Publish(string subject, ReadOnlySpan<byte> body, string? reply = null)
    {
        SystemClient? client;
        lock (_lock)
        {
            client = _client;
        }
        client?.Publish(subject, body, reply);
    }

    public SystemServerInfo NextServerInfo()
    {
        var options = _server.Options;
        var jetStream = _jetStream;
        // Null only before start (no INFO yet).
        var cluster = _server.Info?.Cluster;
        return new SystemServerInfo
        {
            Name = _server.Name,
            Host = options.Host,
            Id = _server.ServerId,
            Cluster = string.IsNullOrEmpty(cluster) ? null : cluster,
            Domain = _domain,
            Version = ServerVersion.CompatibleNatsVersion,
            Tags = options.Tags.Count == 0 ? null : options.Tags,
            JetStream = jetStream,
            Flags = jetStream ? 1UL : 0UL,
            Sequence = (ulong)Interlocked.Increment(ref _sequence),
            Time = DateTime.UtcNow,
        };
    }

    public void AddStatszContributor(Action<ServerStatsz> contributor)
    {
        ArgumentNullException.ThrowIfNull(contributor);
        lock (_lock)
        {
            _statszContributors.Add(contributor);
        }
    }

    internal Action<ServerStatsz>[] StatszContributors()
    {
        lock (_lock)
        {
            return [.. _statszContributors];
        }
    }

    public void SetJetStream(bool enabled, string? domain = null)
    {
        _domain = string.IsNullOrEmpty(domain) ? null : domain;
        _jetStream = enabled;
    }

    /// <summary>Go's <c>json.Marshal</c>: compact, Go's escaping, omitempty as null.</summary>
    // Written as JSON null where a CLR null would be left out.
    private static readonly object NullJson = JsonDocument.Parse("null").RootElement.Clone();

    internal static byte[] Serialize(object message) =>
        JsonSerializer.SerializeToUtf8Bytes(message, MonitoringJson.Compact.GetTypeInfo(message.GetType()));

    private IDisposable Add(Registration registration)
    {
        lock (_lock)
        {
            _registrations.Add(registration);
            if (_client is not null)
            {
                registration.Subscribe(_client);
            }
        }
        return registration;
    }

    private void Remove(Registration registration)
    {
        lock (_lock)
        {
            _registrations.Remove(registration);
        }
    }

    private static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.AsSpan().ContainsAny(" .*>\t\r\n"))
        {
            throw new ArgumentException($"\"{name}\" is not a single subject token", nameof(name));
        }
    }

    // $SYS.REQ.ACCOUNT.<acc>.<name> (and $SYS.REQ.USER.<acc>.INFO): the fourth token.
    internal static string? AccountToken(string subject)
    {
        var tokens = subject.Split('.');
        return tokens.Length == 5 ? tokens[3] : null;
    }

    /// <summary>
    /// Runs a handler the way nats-server's <c>zReq</c> does: filter options first (a request
    /// for other servers gets no answer), then the handler, then the envelope.
    /// </summary>
    private async ValueTask Handle(Registration registration, string subject, string? reply, ReadOnlyMemory<byte> headers, ReadOnlyMemory<byte> payload,
        SystemRequester? requester = null, Action<byte[]>? answer = null)
    {
        if (reply is null && (registration.Wrap || registration.NoReplySubject is null))
        {
            return;
        }
        SystemApiError? error = null;
        object? data = null;
        var nullData = false;
        if (!payload.IsEmpty)
        {
            if (!EventFilter.TryParse(payload.Span, out var filter, out var parseError))
            {
                error = new SystemApiError { Code = 400, Description = parseError };
            }
            else if (!filter.Matches(_server, this))
            {
                return;
            }
        }
        if (error is null)
        {
            try
            {
                var request = new SystemRequest(subject, reply, registration.AccountOf?.Invoke(subject), headers, payload) { Requester = requester };
                data = await registration.Handler(request).ConfigureAwait(false);
            }
            catch (SystemRequestException ex)
            {
                error = new SystemApiError { Code = ex.Code, Description = ex.Message };
                nullData = ex.NullData;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                ServerLog.SystemRequestFailed(_logger, ex, subject);
                error = new SystemApiError { Code = 500, Description = ex.Message };
            }
        }
        if (ReferenceEquals(data, SystemRequest.NoAnswer))
        {
            return;
        }
        if (!registration.Wrap && error is null)
        {
            // A bare answer with nothing to say (an unknown account's CONNS) is no answer.
            if (data is not null && (reply ?? registration.NoReplySubject) is { } target)
            {
                Publish(target, Serialize(data));
            }
            return;
        }
        if (reply is null)
        {
            return;
        }
        var response = new SystemApiResponse { Server = NextServerInfo(), Data = error is null ? data : nullData ? NullJson : null, Error = error };
        if (answer is not null)
        {
            answer(Serialize(response));
            return;
        }
        Publish(reply, Serialize(response));
    }

    /// <summary>
    /// A request a local client made through its account's system import, for a service that
    /// needs to know who asked (<c>$SYS.REQ.USER.&lt;acc&gt;.INFO</c>): handled here, never routed
    /// (as nats-server's internal subscription), on the thread pool, since the caller is inside the
    /// publisher's delivery; the answer goes through <paramref name="answer"/>.
    /// </summary>
    internal void HandleImported(string subject, string reply, SystemRequester requester, ReadOnlyMemory<byte> headers, ReadOnlyMemory<byte> payload, Action<byte[]> answer)
    {
        Registration? registration;
        lock (_lock)
        {
            registration = _client is null ? null : _registrations.Find(r => r.Serves(subject));
        }
        if (registration is not null)
        {
            ThreadPool.QueueUserWorkItem(_ => _ = Handle(registration, subject, reply, headers, payload, requester, answer).AsTask(), null);
        }
    }

    /// <summary>One registered request: its subjects, handler and subscriptions.</summary>
    private sealed class Registration(SystemServiceHost owner, string[] subjects, Func<string, string?>? accountOf, SystemRequestHandler handler, bool wrap) : IDisposable
    {
        private readonly List<IDisposable> _subscriptions = [];

        public SystemRequestHandler Handler => handler;

        public Func<string, string?>? AccountOf => accountOf;

        public bool Wrap => wrap;

        public string? NoReplySubject { get; init; }

        public bool ImportedOnly { get; init; }

        public bool Serves(string subject) => subjects.Any(pattern => SubjectMatcher.MatchLiteral(subject, pattern));

        public void Subscribe(SystemClient client)
        {
            if (ImportedOnly)
            {
                return;
            }
            foreach (var subject in subjects)
            {
                _subscriptions.Add(client.Subscribe(subject, (s, reply, headers, payload) => owner.Handle(this, s, reply, headers, payload)));
            }
        }

        public void Dispose()
        {
            owner.Remove(this);
            lock (owner._lock)
            {
                foreach (var subscription in _subscriptions)
                {
                    subscription.Dispose();
                }
                _subscriptions.Clear();
            }
        }
    }
}
