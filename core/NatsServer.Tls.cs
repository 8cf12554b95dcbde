using Microsoft.Extensions.Logging;
using Nats.Core.Config;
using Nats.Core.Plugins;
using Nats.Core.Protocol;
using Nats.Core.Security.Tls;
using Nats.Core.Logging;

namespace Nats.Core;

public sealed partial class NatsServer
{
    /// <summary>
    /// Named TLS sets: <c>client</c> (the client port), <c>cluster</c> (routes), and whatever
    /// plugins install for their listeners and links. A reload or a watched file swaps them live.
    /// </summary>
    public ITlsStore Tls => _tlsStore;

    /// <summary>The store with its kernel-side members.</summary>
    internal TlsStore TlsSets => _tlsStore;

    /// <summary><c>allow_non_tls</c>: with client TLS on, plain connections are accepted too.</summary>
    internal bool AllowNonTls => _allowNonTls;

    private void CreateTlsStore() => _tlsStore = new TlsStore(LoggerFactory.CreateLogger("Nats.Tls"));

    /// <summary>
    /// The top-level sections the kernel itself binds on the config bus (the host should not
    /// report them as unclaimed).
    /// </summary>
    public static IReadOnlyCollection<string> KernelSections { get; } = ["tls", "ocsp", "allow_non_tls"];

    /// <summary>
    /// Binds <c>ocsp</c>, <c>allow_non_tls</c> and <c>tls</c> on the config bus and installs the
    /// client and cluster certificates. A bad setting or certificate stops the start with a
    /// <see cref="ConfigurationException"/> naming the option, as nats-server refuses to start.
    /// </summary>
    private void StartTls(ServerOptions options)
    {
        if (_tlsInstalled)
        {
            return;
        }
        var option = "tls";
        try
        {
            BindAndInstallTls(options, ref option);
        }
        catch (ConfigException ex)
        {
            throw new ConfigurationException($"{option}: {ex.Message}", ex);
        }
        _tlsInstalled = true;
    }

    /// <summary>Set once the kernel's TLS sections are bound and installed (by a check or the start).</summary>
    private bool _tlsInstalled;

    /// <summary>
    /// For a config check (<c>-t</c>) on a server that is not started: binds and loads what
    /// <see cref="StartAsync"/> applies before it listens (the <c>tls</c>, <c>ocsp</c> and
    /// <c>allow_non_tls</c> sections and <c>cluster.tls</c>, certificate files read and checked),
    /// so a TLS setting that cannot be applied fails the check as it fails the start: fail closed.
    /// Opens no socket; a later <see cref="StartAsync"/> keeps what was installed.
    /// </summary>
    /// <exception cref="ConfigurationException">A setting cannot be applied; the message names it (<c>tls: …</c>, <c>cluster.tls: …</c>).</exception>
    /// <exception cref="InvalidOperationException">The server was already started.</exception>
    public void CheckStartSettings()
    {
        if (Volatile.Read(ref _state) != 0)
        {
            throw new InvalidOperationException("The server was already started.");
        }
        StartTls(_options);
    }

    private void BindAndInstallTls(ServerOptions options, ref string option)
    {
        option = "ocsp";
        var ocsp = _bus.Bind("ocsp", section => WithWarnings(warnings => OcspOptionsParser.Parse(section, warnings)));
        _tlsStore.Ocsp = ocsp.Current;
        option = "allow_non_tls";
        var allowNonTls = _bus.Bind("allow_non_tls", AllowNonTlsSection.Parse, new DelegateReloadHook<AllowNonTlsSection>(
            (_, _, validation) => validation.Changed("allow_non_tls"),
            (_, proposed) =>
            {
                _allowNonTls = proposed.Value;
                UpdateInfo(WithClientTlsFlags);
            }));
        _allowNonTls = allowNonTls.Current.Value;
        option = "tls";
        var tls = _bus.Bind(
            "tls",
            section => WithWarnings(warnings => ClientTlsSection.Parse(section, (_optionsBeingReloaded ?? _options).Flags, warnings)),
            new DelegateReloadHook<ClientTlsSection>(ValidateClientTls, ApplyClientTls));
        ValidateServerSet(tls.Current.Options);
        _tlsStore.Set(TlsStore.ClientSet, tls.Current.Options);
        if (tls.Current.Options is { } client)
        {
            Logging.TlsLog.ClientTlsRequired(Logger);
            if (client.HandshakeFirst && client.HandshakeFirstFallback is null)
            {
                Logging.TlsLog.HandshakeFirstWithoutFallback(Logger);
            }
        }
        option = "cluster.tls";
        var cluster = ClusterTls(options.Cluster);
        ValidateServerSet(cluster);
        _tlsStore.Set(TlsStore.ClusterSet, cluster);
        if (cluster?.Insecure == true)
        {
            Logging.TlsLog.InsecureCluster(Logger);
        }
    }

    private void StopTls() => _tlsStore.Dispose();

    /// <summary>INFO's TLS fields from the client set and <c>allow_non_tls</c>, as nats-server sets them.</summary>
    private ServerInfo WithClientTlsFlags(ServerInfo info)
    {
        var tls = _tlsStore.Get(TlsStore.ClientSet);
        var on = tls?.IsEnabled == true;
        return info with
        {
            TlsRequired = on && !_allowNonTls,
            TlsVerify = on && tls!.RequiresPeerCertificate,
            TlsAvailable = on && _allowNonTls,
        };
    }

    private void ValidateClientTls(ClientTlsSection current, ClientTlsSection proposed, ReloadValidation validation)
    {
        if (_tlsStore.IsCurrent(TlsStore.ClientSet, proposed.Options))
        {
            return;
        }
        try
        {
            ValidateServerSet(proposed.Options);
        }
        catch (ConfigException ex)
        {
            validation.Reject("tls", ex.Reason);
            return;
        }
        validation.Changed("tls");
    }

    private void ApplyClientTls(ClientTlsSection current, ClientTlsSection proposed)
    {
        if (!_tlsStore.IsCurrent(TlsStore.ClientSet, proposed.Options))
        {
            InstallAfterValidation(TlsStore.ClientSet, proposed.Options);
        }
        UpdateInfo(WithClientTlsFlags);
    }

    /// <summary>
    /// Reload of <c>cluster { tls {} }</c> (options or files changed): validates now, returns how
    /// to apply, or null when nothing changes. New routes use the new certificate; live ones keep theirs.
    /// </summary>
    private Action? PrepareClusterTlsReload(ServerOptions proposed, ReloadValidation validation)
    {
        if (_routes is null)
        {
            return null;
        }
        var wanted = ClusterTls(proposed.Cluster);
        if (_tlsStore.IsCurrent(TlsStore.ClusterSet, wanted))
        {
            return null;
        }
        try
        {
            ValidateServerSet(wanted);
        }
        catch (ConfigException ex)
        {
            validation.Reject("cluster.tls", ex.Reason);
            return null;
        }
        if (!validation.Changes.Contains("cluster.tls"))
        {
            validation.Changed("cluster.tls");
        }
        return () =>
        {
            InstallAfterValidation(TlsStore.ClusterSet, wanted);
            if (wanted?.Insecure == true)
            {
                Logging.TlsLog.InsecureCluster(Logger);
            }
        };
    }

    private static readonly HashSet<string> KernelTlsSets = [TlsStore.ClientSet, TlsStore.ClusterSet];

    /// <summary>
    /// The plugins' TLS sets (their listeners and links) on a reload: each re-reads its files, as
    /// nats-server loads every certificate again, so a certificate replaced on disk under an
    /// unchanged block takes effect for new connections without each plugin comparing files; the
    /// kernel's own sets are compared by their hooks. A set whose new files cannot be used keeps
    /// its certificate and says why (its plugin may be removing it in this very reload).
    /// </summary>
    private Action PrepareTlsFileReload()
    {
        var failed = new List<(string Name, string Reason)>();
        var swap = _tlsStore.PrepareFileReload(KernelTlsSets, failed);
        return () =>
        {
            swap();
            foreach (var (name, reason) in failed)
            {
                Logging.TlsLog.NotReloaded(Logger, name, reason);
            }
        };
    }

    // A file could change between validation and apply; then the old certificate stays and
    // the operator is told, rather than failing half a reload.
    private void InstallAfterValidation(string name, TlsOptions? options)
    {
        try
        {
            _tlsStore.Set(name, options);
        }
        catch (ConfigException ex)
        {
            Logging.TlsLog.NotReloaded(Logger, name, ex.Reason);
        }
    }

    /// <summary>Route TLS: nats-server always verifies the other server's certificate, both ways.</summary>
    private static TlsOptions? ClusterTls(ClusterOptions cluster) =>
        cluster.Enabled && cluster.Tls is { } tls ? tls with { Verify = true } : null;

    /// <summary>A listener's set must have a certificate, and its files must load.</summary>
    private void ValidateServerSet(TlsOptions? options)
    {
        if (options is null)
        {
            return;
        }
        if (!options.IsEnabled)
        {
            throw TlsCertificateLoader.Error("missing 'cert_file' in TLS configuration");
        }
        _tlsStore.Validate(options);
    }

    /// <summary>Runs a section parser and logs the warnings it reports (at start and on every reload).</summary>
    private T WithWarnings<T>(Func<List<string>, T> parse)
    {
        var warnings = new List<string>();
        var result = parse(warnings);
        foreach (var warning in warnings)
        {
            ServerLog.TlsConfigWarning(Logger, warning);
        }
        return result;
    }
}
