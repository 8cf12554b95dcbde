using Microsoft.Extensions.Logging;
using Nats.Core.Config;

namespace Nats.Core.Plugins;

/// <summary>
/// The TLS block of a plugin's own listener (<c>websocket {}</c>, <c>mqtt {}</c>…) across config
/// reloads, as nats-server treats it: the certificate set reloads live (connections accepted
/// afterwards use it, open ones keep theirs), while turning TLS on or off needs a restart.
/// </summary>
/// <remarks>
/// A plugin calls <see cref="Install"/> when it configures, <see cref="Validate"/> from its
/// <see cref="IReloadHook{TOptions}.Validate"/> and <see cref="Apply"/> from its
/// <see cref="IReloadHook{TOptions}.Apply"/>. Immutable: any thread may call it.
/// </remarks>
public sealed class ListenerTlsReload
{
    private readonly ITlsStore _store;
    private readonly string _setName;
    private readonly string _section;
    private readonly ILogger _logger;

    /// <summary>The listener's TLS set <paramref name="setName"/> in <paramref name="store"/>, configured in section <paramref name="section"/>.</summary>
    /// <param name="store">The server's TLS store (<see cref="IServerContext.Tls"/>).</param>
    /// <param name="setName">The name the plugin's listener takes its certificate under.</param>
    /// <param name="section">The config section, as reload errors and the log name it (<c>websocket</c>: <c>websocket.tls</c>).</param>
    /// <param name="logger">Where a reloaded certificate set is reported.</param>
    public ListenerTlsReload(ITlsStore store, string setName, string section, ILogger logger)
    {
        _store = store;
        _setName = setName;
        _section = section;
        _logger = logger;
    }

    /// <summary>
    /// Installs <paramref name="tls"/> when the section is <paramref name="enabled"/> and TLS is on;
    /// a certificate that does not load throws <see cref="ConfigException"/> (the server does not start).
    /// </summary>
    public void Install(TlsOptions? tls, bool enabled)
    {
        if (enabled && tls is { IsEnabled: true })
        {
            _store.Set(_setName, tls);
        }
    }

    /// <summary>
    /// Reports a reload of the block on <paramref name="validation"/>: TLS turned on or off is
    /// rejected (a restart is needed); a changed set is loaded to check it, and marked changed
    /// (<c>section.tls</c>) or rejected with the reason it does not load.
    /// </summary>
    public void Validate(TlsOptions? current, TlsOptions? proposed, bool enabled, ReloadValidation validation)
    {
        ArgumentNullException.ThrowIfNull(validation);
        var option = _section + ".tls";
        if (current?.IsEnabled != proposed?.IsEnabled)
        {
            validation.Reject(option, "turning TLS on or off needs a restart");
            return;
        }
        if (Equals(current, proposed) || !enabled || proposed is not { IsEnabled: true } tls)
        {
            return;
        }
        try
        {
            _store.Validate(tls);
            validation.Changed(option);
        }
        catch (ConfigException e)
        {
            validation.Reject(option, e.Message);
        }
    }

    /// <summary>Installs a validated, changed set; listeners take it from the next handshake.</summary>
    public void Apply(TlsOptions? current, TlsOptions? proposed, bool enabled)
    {
        if (enabled && proposed is { IsEnabled: true } tls && !Equals(current, tls))
        {
            _store.Set(_setName, tls);
            Logging.TlsLog.ListenerReloaded(_logger, _section);
        }
    }
}
