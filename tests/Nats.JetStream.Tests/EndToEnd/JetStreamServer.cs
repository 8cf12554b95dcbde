using Nats.Core;
using Nats.JetStream.Server;
using NATS.Client.Core;
using NATS.Net;
using Nats.TestSupport;

namespace Nats.JetStream.Tests.EndToEnd;

/// <summary>
/// A real server (kernel + the JetStream plugin) on a random port over a temporary store
/// directory, restartable on the same directory; deleted when disposed.
/// </summary>
internal sealed class JetStreamServer : IAsyncDisposable
{
    private readonly string _config;
    private readonly bool _keepDirectory;

    private JetStreamServer(string storeDir, string config, bool keepDirectory)
    {
        StoreDir = storeDir;
        _config = config;
        _keepDirectory = keepDirectory;
    }

    public string StoreDir { get; }

    public NatsServer Server { get; private set; } = null!;

    public JetStreamPlugin Plugin { get; private set; } = null!;

    public string Url => $"nats://127.0.0.1:{Server.Port}";

    /// <summary>Starts a server with <c>jetstream { store_dir }</c> plus <paramref name="extraConfig"/>.</summary>
    public static async Task<JetStreamServer> StartAsync(string extraConfig = "", string? jetstreamBlock = null, string? storeDir = null)
    {
        var dir = storeDir ?? Path.Combine(Path.GetTempPath(), "js-e2e-" + Guid.NewGuid().ToString("N"));
        var block = jetstreamBlock ?? $"jetstream {{ store_dir: \"{dir}\" }}";
        var server = new JetStreamServer(dir, block + "\n" + extraConfig, keepDirectory: storeDir is not null);
        await server.BootAsync();
        return server;
    }

    private async Task BootAsync()
    {
        Server = new NatsServer(TestConfig.Options(_config, "js.conf"));
        Plugin = new JetStreamPlugin();
        Server.AddPlugin(Plugin);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Server.StartAsync(cts.Token);
    }

    /// <summary>Shuts the server down cleanly and starts a new one on the same directory.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await BootAsync();
    }

    /// <summary>Stops the server so its files can be edited; <see cref="BootAgainAsync"/> starts it again.</summary>
    public Task StopForEditAsync() => StopAsync();

    /// <summary>Starts the server again on the same directory after <see cref="StopForEditAsync"/>.</summary>
    public Task BootAgainAsync() => BootAsync();

    public NatsClient Client(string? user = null, string? password = null)
    {
        var opts = new NatsOpts
        {
            Url = Url,
            AuthOpts = user is null ? NatsAuthOpts.Default : new NatsAuthOpts { Username = user, Password = password },
            RequestTimeout = TimeSpan.FromSeconds(10),
            CommandTimeout = TimeSpan.FromSeconds(10),
        };
        return new NatsClient(opts);
    }

    private Task StopAsync() => TestServer.StopAsync(Server, TimeSpan.FromSeconds(20));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (!_keepDirectory)
        {
            try
            {
                Directory.Delete(StoreDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
