using System.Diagnostics;

namespace Nats.TestSupport;

public sealed partial class ReferenceServer
{
    /// <summary>
    /// Reloads the running server with <paramref name="config"/> as nats-server is reloaded: the
    /// config file rewritten, then SIGHUP. Returns what the server logged from then until its
    /// <c>Reloaded server configuration</c> or <c>Failed to reload server configuration</c> line
    /// (bounded: a <see cref="TimeoutException"/> names what came instead).
    /// </summary>
    public async Task<string> ReloadAsync(string config, TimeSpan? timeout = null)
    {
        var from = Output.Length;
        await File.WriteAllTextAsync(Path.Combine(_directory, "server.conf"), config).ConfigureAwait(false);
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-HUP", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!)
        {
            await kill.WaitForExitAsync().ConfigureAwait(false);
        }
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var logged = Output[from..];
            if (logged.Contains("Reloaded server configuration", StringComparison.Ordinal) || logged.Contains("Failed to reload server configuration", StringComparison.Ordinal))
            {
                return logged;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("no reload outcome logged: " + logged);
            }
            await Task.Delay(20).ConfigureAwait(false);
        }
    }
}
