using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nats.Core;
using Nats.Server.Hosting.Logging;

namespace Nats.Server.Hosting;

/// <summary>
/// Runs the server with the application: starts it when the host starts (a failure fails the
/// host's start), and when the host stops, enters lame duck mode (clients are told to move, then
/// closed) for at most <see cref="NatsServerHostingOptions.LameDuckTimeout"/> and the host's
/// shutdown timeout, then shuts down. A server that shuts itself down (a <c>$SYS</c> request,
/// lame duck mode run to its end) stops the application, as the stock process exits.
/// </summary>
internal sealed class NatsServerHostedService(NatsServerRuntime runtime, NatsServerHostingOptions options, IHostApplicationLifetime lifetime, ILoggerFactory loggerFactory)
    : IHostedService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Nats.Server.Hosting");
    // Set by StopAsync on the host's thread; read by the shutdown watcher.
    private volatile bool _stopping;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var server = runtime.Server;
        await server.StartAsync(cancellationToken).ConfigureAwait(false);
        _ = WatchShutdownAsync(server);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        var server = runtime.Server;
        if (!server.IsRunning)
        {
            return;
        }
        if (options.LameDuckTimeout > TimeSpan.Zero)
        {
            try
            {
                await server.EnterLameDuckModeAsync().WaitAsync(options.LameDuckTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                HostingLog.LameDuckCutShort(_logger);
            }
        }
        await server.ShutdownAsync().ConfigureAwait(false);
    }

    private async Task WatchShutdownAsync(NatsServer server)
    {
        await server.WaitForShutdownAsync().ConfigureAwait(false);
        if (!_stopping)
        {
            lifetime.StopApplication();
        }
    }
}
