using Microsoft.Extensions.Hosting.Systemd;
using Nats.Core;

namespace Nats.Host.Hosting;

/// <summary>
/// systemd's <c>Type=notify</c> protocol for the stock executable: <c>READY=1</c> once the server
/// listens (and the ports file is written), <c>STOPPING=1</c> when its shutdown begins. Does
/// nothing unless systemd set <c>NOTIFY_SOCKET</c>. See samples/systemd for a unit file.
/// </summary>
internal static class SystemdReadiness
{
    public static void Ready(NatsServer server)
    {
        var notifier = new SystemdNotifier();
        if (!notifier.IsEnabled)
        {
            return;
        }
        notifier.Notify(ServiceState.Ready);
        server.ShutdownToken.Register(() => notifier.Notify(ServiceState.Stopping));
    }
}
