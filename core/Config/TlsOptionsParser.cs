using System.Text.RegularExpressions;
using Nats.Core.Security.Tls;

namespace Nats.Core.Config;

/// <summary>
/// Reads a <c>tls {}</c> block the way nats-server's <c>parseTLS</c> and <c>GenTLSConfig</c> do:
/// the same keys, aliases, types and error wording, reported at the offending key. Checks
/// what can be checked without touching the files; loading the certificate is the
/// <see cref="Plugins.ITlsStore"/>'s job.
/// </summary>
public static partial class TlsOptionsParser
{
    /// <summary>
    /// Parses a <c>tls</c> block. <paramref name="isClientContext"/> is true for listeners that
    /// take clients (client port, leaf nodes, websocket, mqtt) and false for cluster and gateway
    /// blocks, where <c>verify_cert_and_check_known_urls</c> is allowed. Settings that are
    /// accepted but not acted on add a line to <paramref name="warnings"/>.
    /// </summary>
    /// <exception cref="ConfigException">A value is invalid; the message names it and its position.</exception>
    public static TlsOptions Parse(ConfValue value, bool isClientContext = true, ICollection<string>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value is not ConfMap map)
        {
            throw new ConfigException(value.Position, $"error parsing tls config, expected a map, got {value.Describe()}");
        }
        var options = new TlsOptions();
        var insecureCiphers = new List<string>();
        foreach (var entry in map)
        {
            options = ParseEntry(options, entry, isClientContext, insecureCiphers, warnings);
        }
        if (insecureCiphers.Count > 0 && !options.AllowInsecureCipherSuites)
        {
            throw new ConfigException(map.Position,
                $"insecure cipher suites configured without 'allow_insecure_cipher_suites' option set: {string.Join(", ", insecureCiphers)}");
        }
        // GenTLSConfig's checks, which need no file access.
        if (!string.IsNullOrEmpty(options.CertFile) && string.IsNullOrEmpty(options.KeyFile))
        {
            throw new ConfigException(map.Position, "missing 'key_file' in TLS configuration");
        }
        if (string.IsNullOrEmpty(options.CertFile) && !string.IsNullOrEmpty(options.KeyFile))
        {
            throw new ConfigException(map.Position, "missing 'cert_file' in TLS configuration");
        }
        return options;
    }

    private static TlsOptions ParseEntry(TlsOptions options, ConfEntry entry, bool isClientContext, List<string> insecureCiphers, ICollection<string>? warnings)
    {
        var v = entry.Value;
        var at = entry.KeyPosition;
        switch (entry.Key.ToLowerInvariant())
        {
            case "cert_file":
                return options with { CertFile = FileName(entry) };
            case "key_file":
                return options with { KeyFile = FileName(entry) };
            case "ca_file":
                return options with { CaFile = FileName(entry) };
            case "insecure":
                return options with { Insecure = Bool(entry) };
            case "verify":
                return options with { Verify = Bool(entry) };
            case "verify_and_map":
                var map = Bool(entry);
                if (map && !isClientContext)
                {
                    warnings?.Add($"{at}: verify_and_map on server links: peer certificates are verified but not mapped to the link's authorization user");
                }
                return options with { VerifyAndMap = map, Verify = options.Verify || map };
            case "verify_cert_and_check_known_urls":
                var check = Bool(entry);
                if (check && isClientContext)
                {
                    throw new ConfigException(at, "verify_cert_and_check_known_urls not supported in this context");
                }
                if (check)
                {
                    warnings?.Add($"{at}: verify_cert_and_check_known_urls: peer certificates are verified; their DNS names are not checked against the configured URLs");
                }
                return options with { CheckKnownUrls = check, Verify = options.Verify || check };
            case "allow_insecure_cipher_suites":
                return options with { AllowInsecureCipherSuites = Bool(entry) };
            case "cipher_suites":
                return options with { CipherSuites = CipherSuites(entry, insecureCiphers) };
            case "curve_preferences":
                var curves = Curves(entry);
                warnings?.Add($"{at}: curve_preferences are checked but not applied: this platform picks the key exchange groups");
                return options with { CurvePreferences = curves };
            case "timeout":
                return options with { Timeout = Timeout(entry) };
            case "connection_rate_limit":
                if (v is not ConfInteger)
                {
                    throw new ConfigException(at, "error parsing tls config, 'connection_rate_limit' wrong type");
                }
                warnings?.Add($"{at}: connection_rate_limit is not supported by this server and is ignored");
                return options;
            case "pinned_certs":
                return options with { PinnedCerts = PinnedCerts(entry) };
            case "cert_store":
                if (v is not ConfString { Value.Length: > 0 })
                {
                    throw new ConfigException(at, "expected 'cert_store' to be a valid non-empty string");
                }
                // Windows certificate stores (nats-server's only kind) do not exist here.
                throw new ConfigException(at, "cert_store not compatible with current operating system");
            case "cert_match_by" or "cert_match" or "ca_certs_match" or "cert_match_skip_invalid":
                // They choose a certificate from a Windows certificate store, which this platform lacks.
                throw new ConfigException(at, $"{entry.Key.ToLowerInvariant()} is not supported on this operating system (it selects from a Windows certificate store); use cert_file and key_file");
            case "handshake_first" or "first" or "immediate":
                return HandshakeFirst(options, entry);
            case "ocsp_peer":
                if (v is not (ConfBool or ConfMap))
                {
                    throw new ConfigException(at, $"error parsing ocsp peer config: unsupported type {v.Describe()}");
                }
                if (v is ConfMap || v.AsBool())
                {
                    warnings?.Add($"{at}: ocsp_peer is not supported by this server: peer certificates are not checked with OCSP");
                }
                return options;
            case "certs" or "certificates":
                throw new ConfigException(at, $"error parsing tls config, '{entry.Key}' (several certificates chosen by SNI) is not supported by this server; use cert_file and key_file");
            case "min_version":
                return options with { MinVersion = MinVersion(entry) };
            case "watch":
                return options with { Watch = Bool(entry) };
            default:
                if (v.IsUsedAsVariable)
                {
                    return options;
                }
                throw new ConfigException(at, $"error parsing tls config, unknown field \"{entry.Key}\"");
        }
    }

    private static string FileName(ConfEntry entry) => entry.Value is ConfString s
        ? s.Value
        : throw new ConfigException(entry.KeyPosition, $"error parsing tls config, expected '{entry.Key.ToLowerInvariant()}' to be filename");

    private static bool Bool(ConfEntry entry) => entry.Value is ConfBool b
        ? b.Value
        : throw new ConfigException(entry.KeyPosition, $"error parsing tls config, expected '{entry.Key.ToLowerInvariant()}' to be a boolean");

    private static List<string> CipherSuites(ConfEntry entry, List<string> insecure)
    {
        var list = NonEmptyList(entry, "cipher_suites");
        var names = new List<string>(list.Count);
        foreach (var item in list)
        {
            var name = item is ConfString s ? s.Value : item.Describe();
            if (!TlsCipherSuites.TryParse(name, out _, out var isInsecure))
            {
                throw new ConfigException(item.Position, $"unrecognized cipher {name}");
            }
            if (isInsecure)
            {
                insecure.Add(name);
            }
            names.Add(name);
        }
        return names;
    }

    private static List<string> Curves(ConfEntry entry)
    {
        var list = NonEmptyList(entry, "curve_preferences");
        var names = new List<string>(list.Count);
        foreach (var item in list)
        {
            var name = item is ConfString s ? s.Value : item.Describe();
            if (!TlsCipherSuites.IsKnownCurve(name))
            {
                throw new ConfigException(item.Position, $"unrecognized curve preference {name}");
            }
            names.Add(name);
        }
        return names;
    }

    private static ConfList NonEmptyList(ConfEntry entry, string name)
    {
        if (entry.Value is not ConfList list)
        {
            throw new ConfigException(entry.KeyPosition, $"error parsing tls config, '{name}' expected an array, got {entry.Value.Describe()}");
        }
        if (list.Count == 0)
        {
            throw new ConfigException(entry.KeyPosition, $"error parsing tls config, '{name}' cannot be empty");
        }
        return list;
    }

    private static TimeSpan Timeout(ConfEntry entry)
    {
        // A number is seconds (fractions allowed); a string is a Go duration, as in parseTLS.
        var seconds = entry.Value switch
        {
            ConfInteger i => i.Value,
            ConfFloat f => f.Value,
            ConfString s => GoDuration.TryParseNanoseconds(s.Value, out var ns, out var error)
                ? ns / 1e9
                : throw new ConfigException(entry.KeyPosition, $"error parsing tls config, 'timeout' {error}"),
            _ => throw new ConfigException(entry.KeyPosition, "error parsing tls config, 'timeout' wrong type"),
        };
        // nats-server treats zero as "use the default".
        return seconds > 0 ? TimeSpan.FromSeconds(seconds) : TlsOptions.DefaultTimeout;
    }

    private static List<string> PinnedCerts(ConfEntry entry)
    {
        if (entry.Value is not ConfList list)
        {
            throw new ConfigException(entry.KeyPosition, "error parsing tls config, expected 'pinned_certs' to be a list of hex-encoded sha256 of DER encoded SubjectPublicKeyInfo");
        }
        var pins = new List<string>(list.Count);
        foreach (var item in list)
        {
            var text = (item is ConfString s ? s.Value : item.Describe()).ToLowerInvariant();
            if (!PinPattern().IsMatch(text))
            {
                throw new ConfigException(item.Position, $"error parsing tls config, 'pinned_certs' key {text} does not look like hex-encoded sha256 of DER encoded SubjectPublicKeyInfo");
            }
            if (!pins.Contains(text))
            {
                pins.Add(text);
            }
        }
        return pins;
    }

    private static TlsOptions HandshakeFirst(TlsOptions options, ConfEntry entry)
    {
        switch (entry.Value)
        {
            case ConfBool b:
                return options with { HandshakeFirst = b.Value, HandshakeFirstFallback = null };
            case ConfString s:
                switch (s.Value.ToLowerInvariant())
                {
                    case "true" or "on":
                        return options with { HandshakeFirst = true, HandshakeFirstFallback = null };
                    case "false" or "off":
                        return options with { HandshakeFirst = false, HandshakeFirstFallback = null };
                    case "auto" or "auto_fallback":
                        return options with { HandshakeFirst = true, HandshakeFirstFallback = TlsOptions.DefaultHandshakeFirstFallback };
                }
                if (GoDuration.TryParse(s.Value, out var delay))
                {
                    return options with { HandshakeFirst = true, HandshakeFirstFallback = delay };
                }
                throw new ConfigException(entry.KeyPosition, $"field \"{entry.Key}\"'s value \"{s.Value}\" is invalid");
            default:
                throw new ConfigException(entry.KeyPosition, $"field \"{entry.Key}\" should be a boolean or a string, got {entry.Value.Describe()}");
        }
    }

    private static string MinVersion(ConfEntry entry)
    {
        if (entry.Value is not ConfString s)
        {
            throw new ConfigException(entry.KeyPosition, $"error parsing tls config: 'min_version' wrong type: {entry.Value.Describe()}");
        }
        return s.Value switch
        {
            "1.2" or "1.3" => s.Value,
            "1.0" or "1.1" => throw new ConfigException(entry.KeyPosition, $"error parsing tls config: unsupported TLS version: TLS {s.Value}"),
            _ => throw new ConfigException(entry.KeyPosition, $"error parsing tls config: unknown version: {s.Value}"),
        };
    }

    [GeneratedRegex("^[a-f0-9]{64}$")]
    private static partial Regex PinPattern();
}
