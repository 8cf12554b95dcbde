using Nats.Core;
using Nats.Core.Config;
using Nats.Core.Config.Binding;
using Nats.Core.Plugins;

namespace NatsPlugin1.Tests;

/// <summary>
/// A server in this process on 127.0.0.1 and a free port, configured from config text as a
/// nats-server .conf file would be, with the plugin added by type (as AddNatsServer's
/// AddPlugin does). Shut down, bounded in time, when disposed.
/// </summary>
internal sealed class PluginServer : IAsyncDisposable
{
    private PluginServer(NatsServer server) => Server = server;

    public NatsServer Server { get; }

    public string Url => $"nats://127.0.0.1:{Server.Port}";

    public static async Task<PluginServer> StartAsync(string conf)
    {
        var server = new NatsServer(Options(conf));
        server.AddPlugin(new NatsPlugin1Plugin());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await server.StartAsync(cts.Token);
        return new PluginServer(server);
    }

    /// <summary>Reloads with new config text, as SIGHUP does with the edited file.</summary>
    public ReloadResult Reload(string conf) => Server.Reload(Options(conf));

    private static ServerOptions Options(string conf)
    {
        var options = ServerOptionsBinder.Bind(ConfParser.ParseString(conf, "test.conf")).Options;
        options.Host = "127.0.0.1";
        options.Port = -1;   // a free port
        return options;
    }

    public async ValueTask DisposeAsync()
    {
        var shutdown = Server.ShutdownAsync();
        if (await Task.WhenAny(shutdown, Task.Delay(TimeSpan.FromSeconds(10))) != shutdown)
        {
            Assert.Fail("the server did not shut down within 10 s");
        }
        await Server.DisposeAsync();
    }
}
