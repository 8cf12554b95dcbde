using Nats.Core.Config;
using Nats.Core.Security;

namespace Nats.AuthJwt.Config;

/// <summary>
/// <c>authorization { auth_callout { issuer, auth_users, account, xkey, allowed_accounts } }</c>
/// (nats-server's <c>parseAuthCallout</c>): who signs the responses, which users bypass the
/// callout (the service itself), the account the requests are sent in, and the key to seal to.
/// </summary>
public sealed record AuthCalloutOptions
{
    /// <summary>The account key that signs responses (<c>issuer</c>).</summary>
    public required string Issuer { get; init; }

    /// <summary>The callout account (<c>account</c>); nats-server's global account <c>$G</c> by default.</summary>
    public string Account { get; init; } = "$G";

    /// <summary>Users that authenticate as configured, never through the callout (<c>auth_users</c>).</summary>
    public IReadOnlyList<string> AuthUsers { get; init; } = [];

    /// <summary>The service's curve key; requests are sealed to it (<c>xkey</c>).</summary>
    public string? XKey { get; init; }

    /// <summary>Accounts the service may place users in (<c>allowed_accounts</c>).</summary>
    public IReadOnlyList<string> AllowedAccounts { get; init; } = [];

    /// <inheritdoc />
    public bool Equals(AuthCalloutOptions? other) =>
        other is not null && Issuer == other.Issuer && Account == other.Account && XKey == other.XKey
        && AuthUsers.SequenceEqual(other.AuthUsers) && AllowedAccounts.SequenceEqual(other.AllowedAccounts);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Issuer, Account, XKey, AuthUsers.Count);

    /// <summary>Parses the <c>auth_callout</c> (alias <c>auth_hook</c>) value.</summary>
    /// <exception cref="ConfigException">A value nats-server rejects, at its position, in nats-server's words.</exception>
    public static AuthCalloutOptions Parse(ConfValue value)
    {
        if (value is not ConfMap map)
        {
            throw new ConfigException(value.Position, $"Expected authorization callout to be a map/struct, got {value.Describe()}");
        }
        string? issuer = null;
        var account = "";
        var users = new List<string>();
        string? xkey = null;
        var allowed = new List<string>();
        foreach (var entry in map)
        {
            var v = entry.Value;
            switch (entry.Key.ToLowerInvariant())
            {
                case "issuer":
                    issuer = v.AsString();
                    if (!NKeys.IsValidPublicAccountKey(issuer))
                    {
                        throw new ConfigException(v.Position, $"Expected callout user to be a valid public account nkey, got \"{issuer}\"");
                    }
                    break;
                case "account" or "acc":
                    account = v.AsString();
                    break;
                case "auth_users" or "users":
                    users.AddRange(Strings(v, "auth_users"));
                    break;
                case "xkey" or "key":
                    xkey = v.AsString();
                    if (!NKeys.IsValidPublicCurveKey(xkey))
                    {
                        throw new ConfigException(v.Position, $"Expected callout xkey to be a valid public xkey, got \"{xkey}\"");
                    }
                    break;
                case "allowed_accounts":
                    allowed.AddRange(Strings(v, "allowed accounts"));
                    break;
                default:
                    if (!v.IsUsedAsVariable)
                    {
                        throw new ConfigException(entry.KeyPosition, $"Unknown field \"{entry.Key}\" parsing authorization callout");
                    }
                    break;
            }
        }
        if (issuer is null)
        {
            throw new ConfigException(map.Position, "Authorization callouts require an issuer to be specified");
        }
        if (users.Count == 0)
        {
            throw new ConfigException(map.Position, "Authorization callouts require authorized users to be specified");
        }
        return new AuthCalloutOptions
        {
            Issuer = issuer, Account = account.Length == 0 ? "$G" : account, AuthUsers = users, XKey = xkey, AllowedAccounts = allowed,
        };
    }

    private static IEnumerable<string> Strings(ConfValue value, string field) =>
        value is ConfList list
            ? list.Select(item => item.AsString())
            : throw new ConfigException(value.Position, $"Expected {field} field to be an array, got {value.Describe()}");
}
