using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nats.Core.Accounts;
using Nats.Core.Config;
using Nats.Core.Connections;
using Nats.Core.Plugins;
using Nats.Core.Subjects;

namespace SeamsPlugin;

/// <summary>
/// Uses the kernel's seams the way the transport and link plugins do, through the public API
/// only: it accepts clients on its own listener and runs the kernel's client protocol over a
/// stream of its own (<see cref="NatsServer.ServeClientAsync"/>) with its own connection kind
/// and authorization; it registers an account at runtime and places its clients there; it
/// has a link of its own kind that injects messages with itself as origin; it adds a field to
/// client INFO; it follows the server's events (clients, heartbeat, lame duck).
/// </summary>
/// <remarks>
/// Answers in its account: <c>seams.inject</c> (payload: a subject) publishes "injected" there
/// as coming over the link and replies how the router took it; <c>seams.stats</c> replies the
/// counters as JSON.
/// </remarks>
[ServerPlugin("seams", Order = 50)]
public sealed class SeamsPlugin : IServerPlugin
{
    /// <summary>The connection kind its clients show as in /connz and to authorization.</summary>
    public static readonly ConnectionKind Kind = ConnectionKind.Register("Seams", "STANDARD", "seams");

    /// <summary>Its link kind: carries everything (but, as every link, never a message back to its origin link).</summary>
    public static readonly LinkKind LinkKind = LinkKind.Register("seamlink", 1, _ => true);

    private IServerContext _context = null!;
    private IConfigSection<SeamsOptions> _section = null!;
    private ILogger _log = null!;
    private ConnectionListener? _listener;
    private ClientListenerOptions _listenerOptions = ClientListenerOptions.Plain;
    private Account? _account;
    private SeamLink? _link;
    private Subscription? _linkInterest;
    private IInProcessConnection? _service;
    private long _connected;
    private long _closed;
    private long _heartbeats;
    private volatile bool _lameDuck;

    public void Configure(IServerContext context)
    {
        _context = context;
        _log = context.Logging.CreateLogger("seams");
        _section = context.Config.Bind("seams", SeamsOptions.Parse);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var options = _section.Current;
        if (!options.Enabled)
        {
            return Task.CompletedTask;
        }
        var server = _context.Server;

        // An account that no configuration file names, registered while the server runs.
        _account = _context.Accounts.Register(new AccountConfig { Name = options.Account });

        // The listener's own authorization: its one user lands in that account.
        _listenerOptions = new ClientListenerOptions
        {
            Auth = server.CreateAuthService(new AuthOptions
            {
                Users = [new UserConfig { Username = options.User, Password = options.Password, Account = options.Account }],
            }),
            LogPrefix = "seams",
        };
        _listener = ConnectionListener.Start("seams", new HostPort("127.0.0.1", options.Port), _log, ServeAsync, server.ShutdownToken);
        _context.AddListenerAddress(new ListenerAddress("seams", "nats", "127.0.0.1", _listener.Port));

        // Every client's INFO says where this listener is.
        server.SetClientInfoField("seams_port", JsonDocument.Parse(_listener.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)).RootElement);

        // The link's interest, added with the link as the subscription's sink (origin: the link).
        _link = new SeamLink(LinkKind);
        _linkInterest = new Subscription("link.>"u8.ToArray(), null, _link) { Owner = _account };
        server.Router.AddSubscription(_account, _linkInterest);

        _service = _context.Connect(_account);
        _service.Subscribe("seams.inject", null, OnInjectAsync);
        _service.Subscribe("seams.stats", null, OnStatsAsync);

        _context.Events.ClientConnected += client =>
        {
            if (ReferenceEquals(client.Kind, Kind))
            {
                Interlocked.Increment(ref _connected);
            }
        };
        _context.Events.ClientClosed += client =>
        {
            if (ReferenceEquals(client.Kind, Kind))
            {
                Interlocked.Increment(ref _closed);
            }
        };
        _context.Events.Heartbeat += _ => Interlocked.Increment(ref _heartbeats);
        _context.Events.LameDuckEntered += () =>
        {
            _lameDuck = true;
            _listener?.Stop();
            _log.LogInformation("seams: lame duck, listener closed");
        };
        _log.LogInformation("seams: listening on port {Port}, clients in account {Account}", _listener.Port, options.Account);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _listener?.Stop();
        if (_account is not null && _linkInterest is not null)
        {
            _context.Server.Router.RemoveSubscription(_account, _linkInterest);
        }
        if (_service is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            (_service as IDisposable)?.Dispose();
        }
    }

    private Task ServeAsync(Socket socket)
    {
        var remote = socket.RemoteEndPoint as IPEndPoint;
        var stream = new CountingStream(new NetworkStream(socket, ownsSocket: true));
        return _context.Server.ServeClientAsync(stream, remote, Kind, _listenerOptions);
    }

    private ValueTask OnInjectAsync(InProcessMessage request)
    {
        var subject = Encoding.UTF8.GetString(request.Payload.Span);
        var delivered = Inject(subject);
        Reply(request, writer =>
        {
            writer.WriteBoolean("delivered", delivered);
            writer.WriteNumber("forwarded", _link!.Forwarded);
        });
        return ValueTask.CompletedTask;
    }

    /// <summary>Publishes into the account as coming over the link: the router must not hand it back to the link.</summary>
    private bool Inject(string subject)
    {
        var message = new MessageView(Encoding.UTF8.GetBytes(subject), default, default, "injected"u8);
        return _context.Server.Router.Publish(_account!, message, MessageOrigin.FromLink(_link!));
    }

    private ValueTask OnStatsAsync(InProcessMessage request)
    {
        Reply(request, writer =>
        {
            writer.WriteNumber("connected", Interlocked.Read(ref _connected));
            writer.WriteNumber("closed", Interlocked.Read(ref _closed));
            writer.WriteNumber("heartbeats", Interlocked.Read(ref _heartbeats));
            writer.WriteNumber("forwarded", _link!.Forwarded);
            writer.WriteString("last_forwarded", _link.LastSubject);
            writer.WriteBoolean("lame_duck", _lameDuck);
            writer.WriteNumber("bytes_in", CountingStream.TotalRead);
            writer.WriteNumber("bytes_out", CountingStream.TotalWritten);
            writer.WriteString("account", _account!.Name);
        });
        return ValueTask.CompletedTask;
    }

    private void Reply(InProcessMessage request, Action<Utf8JsonWriter> body)
    {
        if (request.Reply is null)
        {
            return;
        }
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        _service!.Publish(request.Reply, buffer.WrittenSpan);
    }
}
