using Microsoft.Extensions.Logging;
using Nats.Core.Accounts;
using Nats.Core.Config;
using Nats.Core.Plugins;
using Nats.Core.Security;

namespace Nats.Core;

public sealed partial class NatsServer
{
    /// <summary>
    /// Raised after a reload applied: (previous options, new options). The host re-applies
    /// logging here. The same event as <see cref="ServerEvents.Reloaded"/>.
    /// </summary>
    public event Action<ServerOptions, ServerOptions> Reloaded
    {
        add => Events.Reloaded += value;
        remove => Events.Reloaded -= value;
    }

    /// <summary>
    /// Replaces the configuration live. The kernel's options and every bound section are
    /// validated first; if anything objects (an invalid value, an option that cannot change
    /// while running), nothing changes and the result says why. Otherwise all of it applies
    /// at once: limits, users and permissions (clients no longer allowed are disconnected),
    /// routes, logging, TLS certificates and the plugins' sections.
    /// </summary>
    public ReloadResult Reload(ServerOptions proposed)
    {
        ArgumentNullException.ThrowIfNull(proposed);
        lock (_reloadLock)
        {
            var current = _options;
            var validation = new ReloadValidation();
            var kernelChanges = ValidateKernelOptions(current, proposed, validation);
            AuthService? auth = null;
            if (kernelChanges.Any(c => c.Path.StartsWith("Auth.", StringComparison.Ordinal)))
            {
                try
                {
                    auth = CreateAuthService(proposed.Auth);
                    // The proposed accounts are built in full first (imports checked against
                    // exports, cycles refused): one bad import rejects the whole reload.
                    AccountRegistry.Build(proposed.Auth, !proposed.DisableSublistCache);
                }
                catch (ConfigurationException ex)
                {
                    validation.Reject("authorization", ex.Message);
                }
            }
            var clusterTls = PrepareClusterTlsReload(proposed, validation);
            var pluginTlsFiles = PrepareTlsFileReload();
            ConfigBus.PreparedReload prepared;
            _optionsBeingReloaded = proposed;
            try
            {
                prepared = _bus.Prepare(proposed.Sections, proposed.Auth.Accounts, validation);
            }
            finally
            {
                _optionsBeingReloaded = null;
            }
            if (validation.Errors.Count > 0)
            {
                var result = new ReloadResult(false, validation.Errors, []);
                Logging.ServerLog.ReloadFailed(Logger, string.Join("; ", validation.Errors));
                return result;
            }

            _options = proposed;
            // Before routes are added: a new route must dial with the new certificate.
            clusterTls?.Invoke();
            // Before the plugins apply: a set they replace in this reload is theirs to install.
            pluginTlsFiles();
            ApplyKernelChanges(current, proposed, kernelChanges, auth);
            prepared.Apply();
            MarkConfigLoaded();
            // Routes dial added routes and drop removed ones here, as plugins apply theirs.
            Events.RaiseReloaded(current, proposed);
            var changes = validation.Changes;
            Logging.ServerLog.Reloaded(Logger, changes.Count == 0 ? "" : ": " + string.Join(", ", changes));
            return new ReloadResult(true, [], changes);
        }
    }

    private static List<OptionChange> ValidateKernelOptions(ServerOptions current, ServerOptions proposed, ReloadValidation validation)
    {
        var changes = OptionsDiff.Compare(current, proposed)
            .Where(c => c.Path is not ("ConfigFile" or "ConfigDigest" or "Sections"))
            .ToList();
        foreach (var change in changes)
        {
            var name = ReloadPolicy.OptionName(change.Path);
            if (ReloadPolicy.IsReloadable(change.Path))
            {
                validation.Changed(name);
            }
            else
            {
                validation.NotReloadable(name, change.Old, change.New);
            }
        }
        return changes;
    }

    private void ApplyKernelChanges(ServerOptions current, ServerOptions proposed, List<OptionChange> changes, AuthService? auth)
    {
        if (changes.Count == 0)
        {
            return;
        }
        if (current.MaxPending != proposed.MaxPending)
        {
            foreach (var client in _clients.Values)
            {
                client.SetMaxPending(proposed.MaxPending);
            }
        }
        if (current.MaxPayload != proposed.MaxPayload)
        {
            UpdateInfo(info => info with { MaxPayload = proposed.MaxPayload });
        }
        RescheduleHeartbeat();
        if (auth is not null)
        {
            // Accounts first: clients re-authorizing into a new account must find it, and the
            // clients of a removed account are closed before the new users apply.
            Accounts.ApplyConfiguration(proposed.Auth);
            _auth = auth;
            UpdateInfo(info => info with { AuthRequired = auth.IsAuthRequired && !auth.HasNoAuthUser });
            // Connected clients must still be allowed under the new rules, as nats-server checks.
            foreach (var client in _clients.Values)
            {
                client.Reauthorize();
            }
        }
    }
}
