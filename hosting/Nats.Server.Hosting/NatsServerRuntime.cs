using Microsoft.Extensions.Logging;
using Nats.Core;

namespace Nats.Server.Hosting;

/// <summary>
/// The one server of the application (a singleton): built, plugins loaded, when first asked
/// for, so services can take <see cref="NatsServer"/> in their constructors; started and stopped
/// by the hosted service.
/// </summary>
internal sealed class NatsServerRuntime(NatsServerHostingOptions options, IServiceProvider services, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private HostedServerBuilder.Built? _built;

    public NatsServer Server
    {
        get
        {
            lock (_lock)
            {
                _built ??= HostedServerBuilder.Build(options, services, loggerFactory);
                return _built.Server;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        HostedServerBuilder.Built? built;
        lock (_lock)
        {
            built = _built;
            _built = null;
        }
        if (built is not null)
        {
            await built.Server.DisposeAsync().ConfigureAwait(false);
            built.Plugins.Dispose();
        }
    }
}
