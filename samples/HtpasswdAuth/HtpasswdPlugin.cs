using System.Reflection;
using System.Text;
using Microsoft.Extensions.Logging;
using Nats.Core.Config;
using Nats.Core.Monitoring;
using Nats.Core.Plugins;
using Nats.Core.Security;
using Newtonsoft.Json;

namespace HtpasswdAuth;

/// <summary>
/// Authenticates clients against an htpasswd file:
/// <code>
/// htpasswd {
///   file: "/etc/nats/users.htpasswd"        # user:bcrypt-or-plain lines, re-read on reload
///   access: "/etc/nats/access.json"         # optional: account and permissions per user
///   status_subject: "htpasswd.status"       # optional: answer status requests here
/// }
/// </code>
/// Status is also served at <c>/htpasswdz</c> when monitoring is on.
/// </summary>
[ServerPlugin("htpasswd", Order = 100)]
public sealed class HtpasswdPlugin : IServerPlugin
{
    private IServerContext? _context;
    private IConfigSection<HtpasswdOptions>? _section;
    private HtpasswdAuthenticator? _authenticator;
    private BcryptWorker? _bcrypt;
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private IInProcessConnection? _connection;
    private IDisposable? _statusSubscription;
    private DateTime _loaded;
    private int _reloads;

    /// <inheritdoc />
    public void Configure(IServerContext context)
    {
        _context = context;
        _logger = context.Logging.CreateLogger("htpasswd");
        // Parsing reads the files; a missing file throws here and the host names this plugin.
        _section = context.Config.Bind(HtpasswdOptions.SectionName, s => HtpasswdOptions.Parse(s, context.Accounts), new HtpasswdReloadHook(this));
        var options = _section.Current;
        if (!options.Enabled)
        {
            // Registering an authenticator would make every client authenticate: stay out of the way.
            _logger.LogWarning("htpasswd: no htpasswd {{}} section; the plugin is idle");
            return;
        }
        _bcrypt = new BcryptWorker();
        _authenticator = new HtpasswdAuthenticator(options.Users, _bcrypt);
        context.AddAuthenticator(_authenticator);
        context.Monitoring.Register("/htpasswdz", _ => MonitoringResponse.Json(Status()), "Htpasswd");
        _loaded = DateTime.UtcNow;
        _logger.LogInformation("htpasswd: {Count} users from {File}", options.Users.Count, options.File);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_context is null || _section?.Current.StatusSubject is not { } subject)
        {
            return Task.CompletedTask;
        }
        // Requests reach the plugin as they reach any client: through a subject.
        _connection = _context.Connect();
        var connection = _connection;
        _statusSubscription = connection.Subscribe(subject, null, message =>
        {
            if (message.Reply is { } reply)
            {
                connection.Publish(reply, Encoding.UTF8.GetBytes(JsonConvert.SerializeObject(Status())));
            }
            return ValueTask.CompletedTask;
        });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _statusSubscription?.Dispose();
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
        _bcrypt?.Dispose();
    }

    /// <summary>A reload validated: new users take effect, and connected clients are checked again.</summary>
    internal void Apply(HtpasswdOptions options)
    {
        if (_authenticator is null || _context is null)
        {
            return;
        }
        _authenticator.Users = options.Users;
        _loaded = DateTime.UtcNow;
        Interlocked.Increment(ref _reloads);
        _logger.LogInformation("htpasswd: reloaded {Count} users from {File}", options.Users.Count, options.File);
        _context.Server.ReauthorizeClients();
    }

    private HtpasswdStatus Status() => new()
    {
        File = _section?.Current.File,
        Access = _section?.Current.AccessFile,
        Users = _authenticator?.Users.Count ?? 0,
        Loaded = _loaded,
        Reloads = Volatile.Read(ref _reloads),
        Version = typeof(HtpasswdPlugin).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
    };
}
