using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Nats.AuthJwt.Auth;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Logging;
using Nats.AuthJwt.Resolvers;
using Nats.Core;
using Nats.Core.Accounts;
using Nats.Core.Config;

namespace Nats.AuthJwt.Accounts;

/// <summary>
/// Operator mode's accounts: account JWTs from a source (memory, URL, directory), verified against
/// the trusted operators, kept as claims for the user checks (<see cref="IAccountClaimsLookup"/>)
/// and turned into kernel accounts through the kernel's resolver hook (<see cref="IAccountResolver"/>:
/// the registry asks on a miss and registers the answer). <see cref="Apply"/> takes an updated
/// JWT live: the registered account is updated and connected clients are checked again, so
/// revoked users are disconnected and new permissions and limits apply.
/// </summary>
/// <remarks>
/// Thread-safe: the claims cache is a concurrent map, updates of one account serialize on
/// <c>_updateLock</c> (registry updates happen on the updater's thread; resolutions run on the
/// registry's resolution tasks).
/// </remarks>
public sealed class JwtAccountResolver : IAccountResolver, IAccountClaimsLookup, IDisposable
{
    /// <summary>nats-server's <c>accountAuthExpired</c> error.</summary>
    public const string AccountAuthenticationExpired = "Account Authentication Expired";

    private readonly IAccountJwtSource _source;
    private readonly TrustedOperators _trust;
    private readonly NatsServer _server;
    private readonly ILogger _logger;
    private readonly Func<DateTimeOffset> _clock;
    // Verified claims and their JWT by account public key; written by lookups and updates.
    private readonly ConcurrentDictionary<string, (AccountClaims Claims, string Jwt)> _accounts = new(StringComparer.Ordinal);
    private readonly Lock _updateLock = new();
    private readonly AccountExpiryTimers _expiry;

    /// <summary>Resolves accounts from <paramref name="source"/>, trusting the JWTs <paramref name="trust"/> signs, and registers them with <paramref name="server"/>; <paramref name="clock"/> replaces the wall clock in tests.</summary>
    public JwtAccountResolver(IAccountJwtSource source, TrustedOperators trust, NatsServer server, ILogger logger, Func<DateTimeOffset>? clock = null)
    {
        _source = source;
        _trust = trust;
        _server = server;
        _logger = logger;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
        _expiry = new AccountExpiryTimers(OnExpiryTimer, _clock);
    }

    /// <summary>Accounts whose JWT expiry timer is armed.</summary>
    public int ExpiryTimers => _expiry.Count;

    /// <inheritdoc />
    public string Name => "jwt";

    /// <summary>The source JWTs come from.</summary>
    public IAccountJwtSource Source => _source;

    /// <summary>Who may sign accounts.</summary>
    public TrustedOperators Trust => _trust;

    /// <summary>The server's accounts.</summary>
    public AccountRegistry Registry => _server.Accounts;

    /// <summary>The JWT in force for <paramref name="account"/>, when it was looked up or updated.</summary>
    public string? CurrentJwt(string account) => _accounts.TryGetValue(account, out var entry) ? entry.Jwt : null;

    /// <inheritdoc />
    public bool TryGetCached(string accountPublicKey, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AccountClaims? claims)
    {
        claims = _accounts.TryGetValue(accountPublicKey, out var known) ? known.Claims : null;
        return claims is not null;
    }

    /// <inheritdoc />
    public async ValueTask<AccountLookup> LookupAsync(string accountPublicKey, CancellationToken cancellationToken)
    {
        if (_accounts.TryGetValue(accountPublicKey, out var known))
        {
            return AccountLookup.Found(known.Claims);
        }
        string jwt;
        try
        {
            jwt = await _source.FetchAsync(accountPublicKey, cancellationToken).ConfigureAwait(false);
        }
        catch (AccountResolverException e)
        {
            return AccountLookup.Missing(e.Message);
        }
        catch (OperationCanceledException)
        {
            return AccountLookup.Missing("fetching jwt timed out");
        }
        var claims = AccountClaimsVerifier.Verify(jwt, accountPublicKey, _trust, _clock(), out var error);
        if (claims is null)
        {
            return AccountLookup.Missing(error ?? AccountClaimsVerifier.AccountValidationFailed);
        }
        var entry = _accounts.GetOrAdd(accountPublicKey, (claims, jwt));
        if (ReferenceEquals(entry.Claims, claims))
        {
            _expiry.Schedule(accountPublicKey, claims.Expires);
        }
        return AccountLookup.Found(entry.Claims);
    }

    /// <inheritdoc />
    public async ValueTask<AccountConfig?> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        if (!Nats.Core.Security.NKeys.IsValidPublicAccountKey(name))
        {
            return null;
        }
        var lookup = await LookupAsync(name, cancellationToken).ConfigureAwait(false);
        if (lookup.Claims is not { } claims)
        {
            AuthJwtLog.AccountFetchFailed(_logger, name, lookup.Error);
            return null;
        }
        lock (_updateLock)
        {
            // An importer holding activations may have appeared: the exporters registered before it
            // admit it before it is registered, so its imports are wired at once (nats-server checks
            // the token when the importer's claims are applied).
            RefreshPrivateExporters(except: name);
            return Map(claims);
        }
    }

    /// <summary>
    /// Takes <paramref name="jwt"/> as the account's claims: verified (trusted issuer, valid, subject
    /// <paramref name="expectedAccount"/> when given), cached, and applied to the registered account
    /// (nats-server's <c>updateAccountWithClaimJWT</c>). Returns what happened, in nats-server's words.
    /// </summary>
    /// <exception cref="AccountResolverException">The JWT is not usable (nats-server's error text).</exception>
    public ClaimsUpdateOutcome Apply(string jwt, string? expectedAccount = null)
    {
        var claims = AccountClaimsVerifier.Verify(jwt, expectedAccount, _trust, _clock(), out var error)
            ?? throw new AccountResolverException(error ?? AccountClaimsVerifier.AccountValidationFailed);
        var key = claims.Subject!;
        lock (_updateLock)
        {
            if (_accounts.TryGetValue(key, out var existing) && existing.Jwt == jwt)
            {
                return ClaimsUpdateOutcome.Same;
            }
            _accounts[key] = (claims, jwt);
            _expiry.Schedule(key, claims.Expires);
            var registered = _server.Accounts.Find(key);
            if (registered is null)
            {
                RefreshPrivateExporters(except: key);
                return ClaimsUpdateOutcome.NotLoaded;
            }
            if (!registered.IsSystem)
            {
                _server.Accounts.Update(Map(claims));
            }
            RefreshPrivateExporters(except: key);
            RevokeClients(registered, claims);
        }
        AuthJwtLog.AccountUpdated(_logger, key);
        // Default permissions, user limits and bearer rules act on connected clients.
        _server.ReauthorizeClients();
        return ClaimsUpdateOutcome.Updated;
    }

    /// <summary>
    /// Forgets an account (deleted from the store): its users are disconnected with
    /// <c>Account Authentication Expired</c>, as nats-server's <c>removeCb</c> expires the account
    /// (<c>expiredTimeout</c>), then it leaves the registry.
    /// </summary>
    public void Forget(string account)
    {
        lock (_updateLock)
        {
            _accounts.TryRemove(account, out _);
            _expiry.Cancel(account);
            if (_server.Accounts.Find(account) is { IsSystem: false })
            {
                var expired = ExpireClients(account);
                AuthJwtLog.AccountRemoved(_logger, account, expired);
                _server.Accounts.Remove(account);
            }
        }
    }

    /// <summary>Stops the expiry timers.</summary>
    public void Dispose() => _expiry.Dispose();

    /// <summary>
    /// An account's expiry timer fired. With the claims still expired, its clients are disconnected
    /// with <c>Account Authentication Expired</c> (nats-server's <c>expiredTimeout</c>; new connects are
    /// refused by the user check); an update that moved the expiry re-arms the timer instead.
    /// </summary>
    private void OnExpiryTimer(string account)
    {
        if (!_accounts.TryGetValue(account, out var entry) || entry.Claims.Expires == 0)
        {
            return;
        }
        if (entry.Claims.Expires > _clock().ToUnixTimeSeconds())
        {
            _expiry.Schedule(account, entry.Claims.Expires);
            return;
        }
        var expired = ExpireClients(account);
        AuthJwtLog.AccountExpired(_logger, account, expired);
    }

    /// <summary>nats-server's <c>expiredTimeout</c>: the account's users get <c>Account Authentication Expired</c> and are closed.</summary>
    private int ExpireClients(string account)
    {
        var expired = 0;
        foreach (var client in _server.Clients)
        {
            // Users only (they carry a JWT); the plugins' and the kernel's internal connections stay.
            if (client.Account.Name == account && !string.IsNullOrEmpty(client.Options.Jwt))
            {
                client.Close(Nats.Core.Connections.ClosedReason.AuthenticationExpired, AccountAuthenticationExpired);
                expired++;
            }
        }
        return expired;
    }

    /// <summary>nats-server's revocation check on an account update: revoked users get <c>User Authentication Revoked</c>.</summary>
    private void RevokeClients(Account account, AccountClaims claims)
    {
        if (claims.Nats.Revocations is not { Count: > 0 })
        {
            return;
        }
        foreach (var client in _server.Clients)
        {
            if (!ReferenceEquals(client.Account, account) || string.IsNullOrEmpty(client.Options.Jwt))
            {
                continue;
            }
            UserClaims user;
            try
            {
                user = JwtCodec.DecodeUserClaims(client.Options.Jwt);
            }
            catch (JwtException)
            {
                continue;
            }
            if (claims.IsClaimRevoked(user))
            {
                AuthJwtLog.UserRevoked(_logger, user.Subject, account.Name);
                client.Revoke();
            }
        }
    }

    private AccountConfig Map(AccountClaims claims)
    {
        var config = AccountConfigMapper.Map(claims, _accounts.Values.Select(v => v.Claims), _clock());
        // The token behind the claims, for /accountz and $SYS.REQ.ACCOUNT.<id>.INFO.
        config.Jwt = _accounts.TryGetValue(claims.Subject!, out var entry) ? entry.Jwt : null;
        return config;
    }

    // A private export's importers are derived from the other accounts' activations: an
    // importer that appeared or changed may change the exporters' definitions.
    private void RefreshPrivateExporters(string except)
    {
        foreach (var (key, entry) in _accounts)
        {
            if (key == except || !AccountConfigMapper.HasPrivateExports(entry.Claims) || _server.Accounts.Find(key) is not { IsSystem: false } account)
            {
                continue;
            }
            var config = Map(entry.Claims);
            if (!ConfigValues.Same(config, account.Definition))
            {
                _server.Accounts.Update(config);
            }
        }
    }
}

/// <summary>What <see cref="JwtAccountResolver.Apply"/> did.</summary>
public enum ClaimsUpdateOutcome
{
    /// <summary>The same JWT was already in force.</summary>
    Same,

    /// <summary>Kept; the account is not in use on this server yet.</summary>
    NotLoaded,

    /// <summary>The registered account was updated.</summary>
    Updated,
}
