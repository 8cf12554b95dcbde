using Nats.Core.Plugins;

namespace FailingPlugin;

/// <summary>
/// Registers things, then throws in Configure. When it is optional and skipped, none of what it
/// registered may stay: its section is unknown again and its deny-all authenticator is gone.
/// </summary>
[ServerPlugin("failing")]
public sealed class FailingPlugin : IServerPlugin
{
    public void Configure(IServerContext context)
    {
        context.Config.Bind("failing", section => new object());
        context.AddAuthenticator(new DenyAll());
        throw new InvalidOperationException("the failing plugin refuses to configure");
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private sealed class DenyAll : IAuthenticator
    {
        public string Name => "deny-all";

        public ValueTask<AuthResult> AuthenticateAsync(ConnectContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult(AuthResult.Deny("deny-all"));
    }
}
