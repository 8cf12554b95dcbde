using Nats.AuthJwt.Jwt.Claims;
using Nats.Core.Security;

namespace Nats.AuthJwt.Auth;

/// <summary>
/// Who may sign accounts: nats-server's <c>trustedKeys</c>, expanded from the operator JWTs as
/// <c>validateTrustedOperators</c> does (the operator key unless it uses strict signing keys,
/// plus its signing keys) or taken from <c>trusted_keys</c>; and the signing keys of strict
/// operators, whose accounts may not name themselves as user issuer (<c>strictSigningKeyUsage</c>).
/// Immutable.
/// </summary>
public sealed class TrustedOperators
{
    private readonly HashSet<string> _keys;
    private readonly HashSet<string> _strictSigningKeys;

    private TrustedOperators(IReadOnlyList<OperatorClaims> operators, HashSet<string> keys, HashSet<string> strictSigningKeys)
    {
        Operators = operators;
        _keys = keys;
        _strictSigningKeys = strictSigningKeys;
    }

    /// <summary>The operator JWTs, in configuration order.</summary>
    public IReadOnlyList<OperatorClaims> Operators { get; }

    /// <summary>The trusted public operator keys.</summary>
    public IReadOnlyCollection<string> Keys => _keys;

    /// <summary>True when no key is trusted (not operator mode).</summary>
    public bool IsEmpty => _keys.Count == 0;

    /// <summary>From operator JWTs and/or <c>trusted_keys</c> (configuration checks they are not both given).</summary>
    public static TrustedOperators Create(IEnumerable<OperatorClaims> operators, IEnumerable<string>? trustedKeys = null)
    {
        var list = operators.ToList();
        var keys = new HashSet<string>(trustedKeys ?? [], StringComparer.Ordinal);
        var strict = new HashSet<string>(StringComparer.Ordinal);
        foreach (var op in list)
        {
            if (!op.Nats.StrictSigningKeyUsage)
            {
                keys.Add(op.Subject ?? "");
            }
            foreach (var key in op.Nats.SigningKeys ?? [])
            {
                keys.Add(key);
                if (op.Nats.StrictSigningKeyUsage)
                {
                    strict.Add(key);
                }
            }
        }
        return new TrustedOperators(list, keys, strict);
    }

    /// <summary>nats-server <c>isTrustedIssuer</c>.</summary>
    public bool IsTrustedIssuer(string? issuer) => issuer is not null && _keys.Contains(issuer);

    /// <summary>True when accounts signed by <paramref name="accountIssuer"/> may only issue users through signing keys.</summary>
    public bool IsStrict(string? accountIssuer) => accountIssuer is not null && _strictSigningKeys.Contains(accountIssuer);

    /// <summary>
    /// The keys that may issue users of <paramref name="account"/> with their scopes, as
    /// nats-server's <c>Account.signingKeys</c>: the account's signing keys, and the account's own
    /// key unless its operator uses strict signing keys.
    /// </summary>
    public IReadOnlyDictionary<string, Jwt.Model.UserScope?> UserIssuers(AccountClaims account)
    {
        var issuers = new Dictionary<string, Jwt.Model.UserScope?>(StringComparer.Ordinal);
        foreach (var (key, scope) in account.Nats.SigningKeys ?? [])
        {
            issuers[key] = scope;
        }
        if (!IsStrict(account.Issuer))
        {
            issuers[account.Subject ?? ""] = null;
        }
        return issuers;
    }

    /// <summary>True for a well-formed operator key (nats-server checks every trusted key).</summary>
    public static bool IsValidKey(string key) => NKeys.IsValidPublicOperatorKey(key);
}
