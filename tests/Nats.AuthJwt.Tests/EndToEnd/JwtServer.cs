using Nats.AuthJwt.Plugin;
using Nats.Core;
using Nats.Core.Config;
using Nats.Core.Config.Binding;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>An in-process server with the Auth.JWT plugin, configured from config text as the host would be.</summary>
internal sealed class JwtServer : IAsyncDisposable
{
    private JwtServer(NatsServer server, AuthJwtPlugin plugin)
    {
        Server = server;
        Plugin = plugin;
    }

    public NatsServer Server { get; }

    public AuthJwtPlugin Plugin { get; }

    public int Port => Server.Port;

    public string Url => $"nats://127.0.0.1:{Port}";

    public static ServerOptions Options(string config) => ServerOptionsBinder.Bind(ConfParser.ParseString(config, "op.conf")).Options;

    /// <summary>Starts a server with the Auth.JWT plugin and <paramref name="others"/> (WebSocket, Leafnode…).</summary>
    public static Task<JwtServer> StartAsync(string config, params Nats.Core.Plugins.IServerPlugin[] others) => StartAsync(config, logs: null, others);

    /// <summary>As <see cref="StartAsync(string, Nats.Core.Plugins.IServerPlugin[])"/>, logging to <paramref name="logs"/> (at its minimum level) when given.</summary>
    public static async Task<JwtServer> StartAsync(string config, ListLoggerProvider? logs, params Nats.Core.Plugins.IServerPlugin[] others)
    {
        var server = new NatsServer(Options(config), logs?.CreateFactory());
        var plugin = new AuthJwtPlugin();
        server.AddPlugin(plugin);
        foreach (var other in others)
        {
            server.AddPlugin(other);
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await server.StartAsync(cts.Token);
        return new JwtServer(server, plugin);
    }

    public async ValueTask DisposeAsync() => await TestServer.StopAsync(Server);
}
