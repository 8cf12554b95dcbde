using Nats.AuthJwt.Auth;
using Nats.AuthJwt.Jwt.Claims;
using Nats.Core.Config;

namespace Nats.AuthJwt.Config;

/// <summary>
/// Operator mode as configured: <c>operator</c> JWTs, <c>trusted_keys</c>, <c>resolver</c>,
/// <c>resolver_preload</c>, <c>resolver_pinned_accounts</c> and <c>resolver_tls</c>. Immutable and
/// compared by value, so an unchanged configuration is no change on reload.
/// </summary>
public sealed class OperatorModeOptions : IEquatable<OperatorModeOptions>
{
    /// <summary>No operator mode.</summary>
    public static readonly OperatorModeOptions None = new([], [], [], null, new SortedDictionary<string, string>(StringComparer.Ordinal), null, null);

    internal OperatorModeOptions(IReadOnlyList<string> operatorJwts, IReadOnlyList<OperatorClaims> operators, IReadOnlyList<string> trustedKeys,
        ResolverOptions? resolver, SortedDictionary<string, string> preload, IReadOnlyList<string>? pinnedAccounts, TlsOptions? resolverTls)
    {
        OperatorJwts = operatorJwts;
        Operators = operators;
        TrustedKeys = trustedKeys;
        Resolver = resolver;
        Preload = preload;
        PinnedAccounts = pinnedAccounts;
        ResolverTls = resolverTls;
    }

    /// <summary>The operator JWTs as read (files unwrapped), in configuration order.</summary>
    public IReadOnlyList<string> OperatorJwts { get; }

    /// <summary>The decoded operators, in the same order.</summary>
    public IReadOnlyList<OperatorClaims> Operators { get; }

    /// <summary><c>trusted_keys</c>.</summary>
    public IReadOnlyList<string> TrustedKeys { get; }

    /// <summary>The resolver: configured, or implied by a single operator's <c>account_server_url</c>; null for none.</summary>
    public ResolverOptions? Resolver { get; }

    /// <summary><c>resolver_preload</c>: account public key → account JWT (each decodes as an account JWT).</summary>
    public IReadOnlyDictionary<string, string> Preload { get; }

    /// <summary><c>resolver_pinned_accounts</c>; null when not set.</summary>
    public IReadOnlyList<string>? PinnedAccounts { get; }

    /// <summary><c>resolver_tls</c>: the client TLS used by the URL resolver.</summary>
    public TlsOptions? ResolverTls { get; }

    /// <summary>True when operators or trusted keys are configured.</summary>
    public bool IsOperatorMode => Operators.Count > 0 || TrustedKeys.Count > 0;

    /// <summary>The system account the first operator names, used when <c>system_account</c> is not set (nats-server does this with one operator).</summary>
    public string? OperatorSystemAccount => Operators.Count == 1 ? NullIfEmpty(Operators[0].Nats.SystemAccount) : null;

    /// <summary>Who may sign accounts.</summary>
    public TrustedOperators Trust() => TrustedOperators.Create(Operators, TrustedKeys);

    /// <summary>Reads every operator-mode key of a parsed config file (aliases included).</summary>
    public static OperatorModeOptions Parse(ConfMap root) => Parse(name => root.TryGet(name, out var v) ? v : null);

    /// <summary>Reads every operator-mode key through <paramref name="section"/>, which returns a top-level value or null.</summary>
    /// <exception cref="ConfigException">The first value nats-server would reject, at its position.</exception>
    public static OperatorModeOptions Parse(Func<string, ConfValue?> section)
    {
        var operatorValue = First(section, "operator", "operators", "roots", "root", "root_operators", "root_operator");
        var (jwts, operators) = operatorValue is null ? ([], []) : OperatorJwtReader.Read(operatorValue);
        var trustedValue = First(section, "trusted", "trusted_keys");
        var trusted = trustedValue is null ? [] : ParseTrustedKeys(trustedValue);
        var resolverValue = First(section, "resolver", "account_resolver", "accounts_resolver");
        var resolver = resolverValue is null ? null : ResolverOptionsParser.Parse(resolverValue);
        if (resolver is null && operators.Count == 1 && NullIfEmpty(operators[0].Nats.AccountServerUrl) is { } serverUrl
            && Uri.TryCreate(serverUrl.Trim(), UriKind.Absolute, out _))
        {
            // nsc appends "/accounts" when it pushes, so nats-server looks there.
            resolver = new UrlResolverOptions(serverUrl.Trim() + "/accounts/", FromOperator: true);
        }
        var preload = section("resolver_preload") is { } preloadValue ? ParsePreload(preloadValue) : new SortedDictionary<string, string>(StringComparer.Ordinal);
        var pinned = section("resolver_pinned_accounts") is { } pinnedValue ? ParseStrings(pinnedValue, "resolver_pinned_accounts") : null;
        var tls = section("resolver_tls") is { } tlsValue ? TlsOptionsParser.Parse(tlsValue, isClientContext: true) : null;
        return new OperatorModeOptions(jwts, operators, trusted, resolver, preload, pinned, tls);
    }

    /// <summary>
    /// nats-server's <c>validateTrustedOperators</c> (and its auth callout rule): the errors that
    /// stop a server from starting in operator mode; empty when fine.
    /// </summary>
    /// <param name="configuredSystemAccount">The <c>system_account</c> option when set explicitly, else null.</param>
    /// <param name="hasConfiguredAccounts">An <c>accounts {}</c> block is configured.</param>
    /// <param name="hasConfiguredUsers">Users or nkeys are configured in <c>authorization</c> or accounts.</param>
    /// <param name="hasAuthCallout"><c>authorization { auth_callout }</c> is configured.</param>
    /// <param name="serverVersion">The version to check <c>assert_server_version</c> against.</param>
    public IReadOnlyList<string> Validate(string? configuredSystemAccount, bool hasConfiguredAccounts, bool hasConfiguredUsers,
        bool hasAuthCallout, (int Major, int Minor, int Update) serverVersion)
    {
        var errors = new List<string>();
        if (Operators.Count == 0)
        {
            foreach (var key in TrustedKeys.Where(k => !TrustedOperators.IsValidKey(k)))
            {
                errors.Add($"trusted Keys \"{key}\" are required to be a valid public operator nkey");
            }
            return errors;
        }
        if (Resolver is null)
        {
            errors.Add("operators require an account resolver to be configured");
        }
        if (hasConfiguredAccounts)
        {
            errors.Add("operators do not allow Accounts to be configured directly");
        }
        if (hasConfiguredUsers)
        {
            errors.Add("operators do not allow users to be configured directly");
        }
        if (TrustedKeys.Count > 0)
        {
            errors.Add("conflicting options for 'TrustedKeys' and 'TrustedOperators'");
        }
        if (!string.IsNullOrEmpty(configuredSystemAccount))
        {
            var named = Operators.Where(o => !string.IsNullOrEmpty(o.Nats.SystemAccount)).ToList();
            if (named.Count > 0 && !named.Any(o => o.Nats.SystemAccount == configuredSystemAccount))
            {
                errors.Add("system_account in config and operator JWT must be identical");
            }
        }
        else if (string.IsNullOrEmpty(Operators[0].Nats.SystemAccount) && Resolver is DirectoryResolverOptions)
        {
            errors.Add("using nats based account resolver - the system account needs to be specified in configuration or the operator jwt");
        }
        foreach (var op in Operators)
        {
            if (!OperatorClaims.TryParseServerVersion(op.Nats.AssertServerVersion, out var wanted, out var versionError))
            {
                errors.Add($"operator {op.Subject} expects version {op.Nats.AssertServerVersion} got error instead: {versionError}");
            }
            else if (wanted.CompareTo(serverVersion) > 0)
            {
                var (which, w, s) = wanted.Major != serverVersion.Major ? ("major", wanted.Major, serverVersion.Major)
                    : wanted.Minor != serverVersion.Minor ? ("minor", wanted.Minor, serverVersion.Minor)
                    : ("update", wanted.Update, serverVersion.Update);
                errors.Add($"operator {op.Subject} expected {which} version {w} > server {which} version {s}");
            }
        }
        foreach (var key in Trust().Keys.Where(k => !TrustedOperators.IsValidKey(k)))
        {
            errors.Add($"trusted Keys \"{key}\" are required to be a valid public operator nkey");
        }
        foreach (var key in PinnedAccounts ?? [])
        {
            if (!Nats.Core.Security.NKeys.IsValidPublicAccountKey(key))
            {
                errors.Add($"pinned account key \"{key}\" is not a valid public account nkey");
            }
        }
        if (hasAuthCallout)
        {
            errors.Add("operators do not allow authorization callouts to be configured directly");
        }
        return errors;
    }

    private static IReadOnlyList<string> ParseTrustedKeys(ConfValue value)
    {
        var keys = ParseStrings(value, "trusted");
        foreach (var key in keys)
        {
            if (!TrustedOperators.IsValidKey(key))
            {
                throw new ConfigException(value.Position, $"trust key \"{key}\" required to be a valid public operator nkey");
            }
        }
        return keys;
    }

    private static SortedDictionary<string, string> ParsePreload(ConfValue value)
    {
        if (value is not ConfMap map)
        {
            throw new ConfigException(value.Position, "preload should be a map of account_public_key:account_jwt");
        }
        var preload = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in map)
        {
            if (entry.Value is not ConfString jwt)
            {
                throw new ConfigException(entry.Value.Position, "preload map value should be a string JWT");
            }
            try
            {
                // Expiry and the like are only warned about later, as nats-server does.
                Jwt.JwtCodec.DecodeAccountClaims(jwt.Value);
            }
            catch (Jwt.JwtException)
            {
                throw new ConfigException(entry.Value.Position, "invalid account JWT");
            }
            preload[entry.Key] = jwt.Value;
        }
        return preload;
    }

    private static List<string> ParseStrings(ConfValue value, string option) => value switch
    {
        ConfString s => [s.Value],
        ConfList list => [.. list.Select(item => item is ConfString s
            ? s.Value
            : throw new ConfigException(item.Position, $"error parsing {option}: unsupported type in array {item.Describe()}"))],
        _ => throw new ConfigException(value.Position, $"error parsing {option}: unsupported type {value.Describe()}"),
    };

    private static ConfValue? First(Func<string, ConfValue?> section, params string[] names)
    {
        foreach (var name in names)
        {
            if (section(name) is { } value)
            {
                return value;
            }
        }
        return null;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <inheritdoc />
    public bool Equals(OperatorModeOptions? other) =>
        other is not null && OperatorJwts.SequenceEqual(other.OperatorJwts) && TrustedKeys.SequenceEqual(other.TrustedKeys)
        && Equals(Resolver, other.Resolver) && Preload.Count == other.Preload.Count
        && Preload.All(p => other.Preload.TryGetValue(p.Key, out var jwt) && jwt == p.Value)
        && (PinnedAccounts ?? []).SequenceEqual(other.PinnedAccounts ?? []) && (PinnedAccounts is null) == (other.PinnedAccounts is null)
        && Equals(ResolverTls, other.ResolverTls);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as OperatorModeOptions);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(OperatorJwts.Count, TrustedKeys.Count, Resolver, Preload.Count);
}
