using Nats.Core.Config.Binding;

namespace Nats.Core.Config;

/// <summary>
/// Who owns each top-level config key that the kernel's binder leaves alone: the kernel's own
/// components (<c>tls</c>, <c>ocsp</c>…), or a plugin by name. It starts with the owners of
/// nats-server's keys that plugins implement (<c>jetstream</c> → jetstream, <c>operator</c> →
/// auth-jwt…) and takes each plugin manifest's sections on top, so that every key of a config
/// file has a known owner or is an error, as in nats-server.
/// </summary>
/// <remarks>
/// <para>Keys that configure authentication are <em>secure</em>: when their plugin is not loaded,
/// <see cref="Review"/> makes them errors, so the server never runs with less security than
/// configured (fail closed). Other keys of a plugin that is not loaded are warnings.</para>
/// <para>A key may name a nested setting with a dot (<c>authorization.auth_callout</c>).
/// Keys compare without regard to case, as nats-server's do. Not thread-safe: built once at
/// start-up by the thread that loads the plugins.</para>
/// </remarks>
public sealed class ConfigClaims
{
    /// <summary>The owner name of keys the kernel reads.</summary>
    public const string Kernel = "kernel";

    /// <summary>The plugin that applies nats-server's operator/JWT/resolver/auth callout settings.</summary>
    public const string AuthJwtPlugin = "auth-jwt";

    // nats-server's top-level keys that plugins implement, with the plugin that applies them.
    private static readonly (string Owner, bool Secure, string[] Keys)[] NatsServerOwners =
    [
        (AuthJwtPlugin, true, [
            "operator", "operators", "root", "roots", "root_operator", "root_operators",
            "resolver", "account_resolver", "accounts_resolver", "resolver_tls", "resolver_preload",
            "resolver_pinned_accounts", "trusted", "trusted_keys", "default_sentinel",
            "authorization.auth_callout", "authorization.auth_hook",
        ]),
        ("jetstream", false, ["jetstream", "store_dir", "storedir", "default_js_domain"]),
        ("gateway", false, ["gateway"]),
        ("leafnodes", false, ["leafnodes", "leaf"]),
        ("mqtt", false, ["mqtt"]),
        ("websocket", false, ["websocket", "ws"]),
    ];

    private readonly Dictionary<string, Claim> _claims = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The table before any manifest: the kernel's <paramref name="kernelSections"/> (sections its
    /// components bind themselves) and the owners of nats-server's plugin keys.
    /// </summary>
    public static ConfigClaims CreateDefault(IEnumerable<string> kernelSections)
    {
        ArgumentNullException.ThrowIfNull(kernelSections);
        var claims = new ConfigClaims();
        foreach (var key in kernelSections)
        {
            claims._claims[key] = new Claim(Kernel, Secure: false, Declared: true);
        }
        foreach (var (owner, secure, keys) in NatsServerOwners)
        {
            foreach (var key in keys)
            {
                claims._claims[key] = new Claim(owner, secure, Declared: false);
            }
        }
        return claims;
    }

    /// <summary>
    /// Records what a plugin's manifest claims. A section nats-server's defaults give to a plugin
    /// may be taken over (a replacement for that plugin); one the kernel or another manifest
    /// claims may not. A section defaults mark secure stays secure.
    /// </summary>
    /// <param name="plugin">The plugin's name.</param>
    /// <param name="sections">The keys it reads.</param>
    /// <param name="secureSections">Those of <paramref name="sections"/> that configure authentication.</param>
    /// <exception cref="ConfigurationException">Another owner already declared one of the sections.</exception>
    public void Declare(string plugin, IEnumerable<string> sections, IEnumerable<string> secureSections)
    {
        ArgumentException.ThrowIfNullOrEmpty(plugin);
        var secure = new HashSet<string>(secureSections, StringComparer.OrdinalIgnoreCase);
        var keys = sections.ToList();
        foreach (var key in keys)
        {
            if (_claims.TryGetValue(key, out var existing) && existing.Declared
                && !string.Equals(existing.Owner, plugin, StringComparison.OrdinalIgnoreCase))
            {
                throw new ConfigurationException(existing.Owner == Kernel
                    ? $"plugin {plugin} claims config section \"{key}\", which the server itself reads"
                    : $"plugins {existing.Owner} and {plugin} both claim config section \"{key}\"");
            }
        }
        foreach (var key in keys)
        {
            var wasSecure = _claims.TryGetValue(key, out var existing) && existing.Secure;
            _claims[key] = new Claim(plugin, wasSecure || secure.Contains(key), Declared: true);
        }
    }

    /// <summary>The owner of <paramref name="key"/> (<see cref="Kernel"/> or a plugin name), or null when nobody claims it.</summary>
    public string? OwnerOf(string key) => _claims.TryGetValue(key, out var claim) ? claim.Owner : null;

    /// <summary>True when <paramref name="key"/> configures authentication, so that it must not be ignored.</summary>
    public bool IsSecure(string key) => _claims.TryGetValue(key, out var claim) && claim.Secure;

    /// <summary>
    /// Judges the keys of a config file that the kernel's binder did not bind: those claimed by the
    /// kernel or a loaded plugin are fine; a secure key of a plugin that is not loaded is an error
    /// naming the setting and the plugin; another key of a plugin that is not loaded, or a key
    /// nats-server knows that nobody here implements, is a warning; a key nobody knows is
    /// nats-server's <c>unknown field</c> error.
    /// </summary>
    /// <param name="unclaimed">The top-level entries the binder left alone.</param>
    /// <param name="config">The whole file, for nested secure settings (null skips them).</param>
    /// <param name="isLoaded">Whether a plugin of that name is loaded.</param>
    public ConfigClaimsReview Review(IEnumerable<ConfEntry> unclaimed, ConfMap? config, Func<string, bool> isLoaded)
    {
        ArgumentNullException.ThrowIfNull(unclaimed);
        ArgumentNullException.ThrowIfNull(isLoaded);
        var errors = new List<ConfigDiagnostic>();
        var warnings = new List<ConfigDiagnostic>();
        foreach (var entry in unclaimed)
        {
            Judge(entry.Key, entry, isLoaded, errors, warnings);
        }
        if (config is not null)
        {
            foreach (var (path, entry) in NestedEntries(config))
            {
                Judge(path, entry, isLoaded, errors, warnings);
            }
        }
        return new ConfigClaimsReview(errors, warnings);
    }

    private void Judge(string key, ConfEntry entry, Func<string, bool> isLoaded, List<ConfigDiagnostic> errors, List<ConfigDiagnostic> warnings)
    {
        if (!_claims.TryGetValue(key, out var claim))
        {
            if (key.Contains('.'))
            {
                return; // nested keys are the kernel's to judge unless a plugin claims them
            }
            (NatsServerOptionNames.IsKnown(key) ? warnings : errors).Add(ServerOptionsBinder.DescribeUnclaimed(entry));
            return;
        }
        if (claim.Owner == Kernel || isLoaded(claim.Owner))
        {
            return;
        }
        if (claim.Secure)
        {
            errors.Add(ConfigDiagnostic.Error(entry.KeyPosition,
                $"\"{key}\" is set, but plugin {claim.Owner}, which applies it, is not loaded: refusing to run with less security than configured", key));
        }
        else
        {
            warnings.Add(ConfigDiagnostic.NotSupported(entry.KeyPosition, key,
                $"field \"{key}\" needs plugin {claim.Owner}, which is not loaded, and is ignored"));
        }
    }

    // The claimed dotted keys present in the file ("authorization.auth_callout" → that entry).
    private IEnumerable<(string Path, ConfEntry Entry)> NestedEntries(ConfMap config)
    {
        foreach (var key in _claims.Keys)
        {
            var dot = key.IndexOf('.');
            if (dot > 0 && config.TryGet(key[..dot], out var parent) && parent is ConfMap map
                && map.TryGetEntry(key[(dot + 1)..], out var entry))
            {
                yield return (key, entry);
            }
        }
    }

    private sealed record Claim(string Owner, bool Secure, bool Declared);
}

/// <summary>What <see cref="ConfigClaims.Review"/> found: errors stop the server (and fail <c>-t</c>), warnings are logged.</summary>
/// <param name="Errors">Settings that must not be ignored, and keys nobody knows.</param>
/// <param name="Warnings">Settings that are ignored.</param>
public sealed record ConfigClaimsReview(IReadOnlyList<ConfigDiagnostic> Errors, IReadOnlyList<ConfigDiagnostic> Warnings);
