using Nats.Core;
using Nats.Core.Config;
using Nats.Core.Config.Binding;
using Nats.JetStream.Server;

namespace Nats.JetStream.StoreCrashChild;

/// <summary>
/// The whole server in a process of its own (kernel + JetStream plugin, store in a given
/// directory, default <c>sync: always</c>), so a test can kill -9 it under load as a real
/// deployment would be: it prints <c>PORT &lt;n&gt;</c> once clients may connect, then serves
/// until killed.
/// </summary>
internal static class ServerMode
{
    public static async Task RunAsync(string storeDir)
    {
        var config = $"jetstream {{ store_dir: \"{storeDir}\" }}";
        var options = ServerOptionsBinder.Bind(ConfParser.ParseString(config, "crash.conf")).Options;
        options.Host = "127.0.0.1";
        options.Port = -1;
        var server = new NatsServer(options);
        server.AddPlugin(new JetStreamPlugin());
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await server.StartAsync(cts.Token);
        }
        Console.WriteLine($"PORT {server.Port}");
        Console.Out.Flush();
        await Task.Delay(Timeout.Infinite);
    }
}
