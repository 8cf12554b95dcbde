using Microsoft.Extensions.Logging;
using Nats.Core.Plugins;

namespace NatsPlugin1;

/// <summary>
/// The plugin: binds its section with a reload hook and, when a token is configured, adds the
/// authenticator. Configure runs before the server starts, StartAsync after it listens,
/// StopAsync at shutdown while the kernel still runs.
/// </summary>
[ServerPlugin("natsplugin1", Order = 100)]
public sealed class NatsPlugin1Plugin : IServerPlugin, IReloadHook<NatsPlugin1Options>
{
    private readonly NatsPlugin1Authenticator _authenticator = new();
    private IServerContext _context = null!;
    private ILogger _logger = null!;

    public void Configure(IServerContext context)
    {
        _context = context;
        _logger = context.Logging.CreateLogger("natsplugin1");
        var section = context.Config.Bind("natsplugin1", NatsPlugin1Options.Parse, this);
        _authenticator.Options = section.Current;
        // Any authenticator makes authentication required, so add it only when configured.
        if (section.Current.Token is not null)
        {
            context.AddAuthenticator(_authenticator);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _logger.LogInformation("natsplugin1: started (token {State})", _authenticator.Options.Token is null ? "not set" : "set");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Reload, phase 1: object without changing anything; one objection rejects the whole reload.
    public void Validate(NatsPlugin1Options current, NatsPlugin1Options proposed, ReloadValidation validation)
    {
        if ((current.Token is null) != (proposed.Token is null))
        {
            validation.Reject("natsplugin1.token", "turning the token on or off needs a restart");
            return;
        }
        validation.Changed("natsplugin1");
    }

    // Reload, phase 2: every hook validated. Take effect, and re-check connected clients.
    public void Apply(NatsPlugin1Options current, NatsPlugin1Options proposed)
    {
        _authenticator.Options = proposed;
        _context.Server.ReauthorizeClients();
    }
}
