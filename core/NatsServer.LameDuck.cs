using Microsoft.Extensions.Logging;
using Nats.Core.Connections;

namespace Nats.Core;

public sealed partial class NatsServer
{
    /// <summary>True once lame duck mode began.</summary>
    public bool IsLameDuck => _lameDuck;

    /// <summary>
    /// Lame duck mode (SIGUSR2, <c>--signal ldm</c>): stop accepting clients, tell connected
    /// clients (INFO <c>ldm: true</c>) so they move elsewhere, wait the grace period, close
    /// the remaining clients spread over <c>lame_duck_duration</c>, then shut down.
    /// </summary>
    public async Task EnterLameDuckModeAsync()
    {
        if (_lameDuck || !IsRunning)
        {
            return;
        }
        _lameDuck = true;
        Logging.ServerLog.EnteringLameDuck(Logger);
        Services.Events.LameDuckEntered();
        StopClientListener();
        // Routes re-send their INFO (ldm), plugins close their listeners: registered handlers.
        Events.RaiseLameDuckEntered();

        var options = _options;
        var grace = options.LameDuckGracePeriod.Duration();
        var clients = _clients.Values.ToArray();
        if (clients.Length == 0)
        {
            await ShutdownAsync().ConfigureAwait(false);
            return;
        }
        UpdateInfo(info => info with { LameDuckMode = true });
        foreach (var client in clients)
        {
            client.SendInfoUpdate();
        }

        var spread = options.LameDuckDuration - grace;
        if (spread <= TimeSpan.Zero)
        {
            spread = TimeSpan.FromSeconds(1);
        }
        try
        {
            await Task.Delay(grace, ShutdownToken).ConfigureAwait(false);
            Logging.ServerLog.ClosingClients(Logger);
            // Close clients evenly over the remaining time (at most one second apart), so
            // they do not all reconnect to the rest of the cluster at the same instant.
            var interval = TimeSpan.FromTicks(Math.Min(spread.Ticks / clients.Length, TimeSpan.TicksPerSecond));
            var batch = interval.Ticks < TimeSpan.TicksPerMillisecond ? Math.Max(1, (int)(clients.Length / Math.Max(1, spread.TotalMilliseconds))) : 1;
            for (var i = 0; i < clients.Length; i++)
            {
                clients[i].Close(ClosedReason.ServerShutdown);
                if (i < clients.Length - 1 && (i + 1) % batch == 0 && interval >= TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(interval, ShutdownToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
        await ShutdownAsync().ConfigureAwait(false);
    }
}
