using Microsoft.Extensions.Logging;
using Nats.Core;
using Nats.Core.Config;
using Nats.Core.Logging;

namespace Nats.Host;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = new ServerOptions();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "-p" or "--port") options.Port = int.Parse(args[++i]);
            if (args[i] is "-a" or "--addr") options.Host = args[++i];
        }
        using var logs = new NatsLoggerProvider(options.Logging);
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        await using var server = new NatsServer(options, factory);
        await server.StartAsync();
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; _ = server.ShutdownAsync(); });
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; _ = server.ShutdownAsync(); });
        await server.WaitForShutdownAsync();
        return 0;
    }
}
