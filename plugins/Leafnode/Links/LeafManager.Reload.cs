using Microsoft.Extensions.Logging;
using Nats.Core.Config;
using Nats.Core.Plugins;
using Nats.Leafnode.Config;

namespace Nats.Leafnode.Links;

public sealed partial class LeafManager
{
    /// <summary>
    /// What a reload may change, as nats-server 2.14: the hub's leaf authorization (connected
    /// leafs are checked again) and the remotes (added, removed, disabled or changed, their TLS
    /// included). The listener's address and the other settings need a restart; the listener's
    /// TLS is the plugin's <see cref="ListenerTlsReload"/>.
    /// </summary>
    internal static void Validate(LeafnodeOptions current, LeafnodeOptions proposed, ReloadValidation validation, IServerContext context)
    {
        void Fixed<T>(string name, T a, T b)
        {
            if (!EqualityComparer<T>.Default.Equals(a, b))
            {
                validation.NotReloadable("leafnodes." + name, a, b);
            }
        }
        Fixed("host", current.Host, proposed.Host);
        Fixed("port", current.Port, proposed.Port);
        Fixed("advertise", current.Advertise, proposed.Advertise);
        Fixed("no_advertise", current.NoAdvertise, proposed.NoAdvertise);
        Fixed("min_version", current.MinVersion, proposed.MinVersion);
        Fixed("reconnect", current.ReconnectInterval, proposed.ReconnectInterval);
        foreach (var tls in proposed.Remotes.Select(r => r.Tls).OfType<TlsOptions>())
        {
            try
            {
                context.Tls.Validate(tls);
            }
            catch (ConfigException e)
            {
                validation.Reject("leafnodes.tls", e.Message);
            }
        }
        if (current.Username != proposed.Username || current.Password != proposed.Password || current.NKey != proposed.NKey
            || current.Account != proposed.Account || !current.Users.Equals(proposed.Users) || current.AuthTimeoutSeconds != proposed.AuthTimeoutSeconds)
        {
            validation.Changed("leafnodes.authorization");
        }
        if (!current.Remotes.Equals(proposed.Remotes))
        {
            validation.Changed("leafnodes.remotes");
        }
    }

    /// <summary>Takes a validated reload into effect.</summary>
    internal async Task ApplyAsync(LeafnodeOptions proposed)
    {
        var current = _options;
        foreach (var remote in proposed.Remotes)
        {
            InstallRemoteTls(remote);
        }
        _options = proposed;

        // A remote changed only in its certificates is the same remote (InstallRemoteTls above).
        var kept = new HashSet<RemoteLeafOptions>(proposed.Remotes.Where(r => !r.Disabled).Select(r => r.Identity));
        var stopping = current.Remotes.Where(r => !kept.Contains(r.Identity)).Select(r =>
        {
            LeafLog.RemoteRemoved(_logger, r.SafeName);
            return StopRemote(r);
        }).ToList();
        foreach (var remote in proposed.Remotes)
        {
            StartRemote(remote);
        }

        var authChanged = current.Username != proposed.Username || current.Password != proposed.Password || current.NKey != proposed.NKey
            || current.Account != proposed.Account || !current.Users.Equals(proposed.Users);
        if (authChanged)
        {
            foreach (var connection in _connections.Values)
            {
                await connection.ReauthorizeAsync(proposed).ConfigureAwait(false);
            }
        }
        try
        {
            await Task.WhenAll(stopping).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LeafLog.RemovedRemotesStopTimedOut(_logger);
        }
        RemoveRemoteTls(proposed.Remotes);
    }
}
