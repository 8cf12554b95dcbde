using System.Globalization;
using Microsoft.Extensions.Logging;
using Nats.AuthJwt.Auth;
using Nats.AuthJwt.Config;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Jwt.Model;
using Nats.Core;
using Nats.Core.Accounts;
using Nats.Core.Plugins;
using Nats.Core.Security;

namespace Nats.AuthJwt.Callout;

/// <summary>
/// Auth callout (ADR-26, nats-server's <c>processClientOrLeafCallout</c> outside operator mode) as
/// one link of the authenticator chain: a client that no earlier link recognised (the configured
/// users, nkeys and tokens come first, the <c>auth_users</c> among them) is described in an
/// authorization request JWT, sent on <c>$SYS.REQ.USER.AUTH</c> in the callout account (sealed to
/// the service's <c>xkey</c> when configured), and admitted as the user JWT in the service's answer
/// says: into the account named by its <c>aud</c>, with its permissions, limits and expiry.
/// </summary>
/// <remarks>
/// Requests are signed with a server key of the plugin's own (the kernel keeps its key private);
/// <c>server_id.id</c> is the server's id, which the answer's <c>aud</c> must name. Waits at most
/// the authorization timeout, off the I/O threads. Thread-safe: the connection is set once at
/// start; each request has its own inbox.
/// </remarks>
public sealed class CalloutAuthenticator : IAuthenticator, IDisposable
{
    private readonly AuthCalloutOptions _options;
    private readonly NatsServer _server;
    private readonly ILogger _logger;
    private readonly NKeyPair _signingKey = NKeyPair.Create(NKeyPrefix.Server);
    private readonly XKeyPair? _xkey;
    private readonly HashSet<string> _authUsers;
    // Set by the plugin's start (before any client is authenticated), read by every request.
    private volatile IInProcessConnection? _connection;

    /// <summary>An authenticator that asks the config's callout service (<paramref name="options"/>) to decide each login.</summary>
    public CalloutAuthenticator(AuthCalloutOptions options, NatsServer server, ILogger logger)
    {
        _options = options;
        _server = server;
        _logger = logger;
        _xkey = options.XKey is null ? null : XKeyPair.Create();
        _authUsers = new HashSet<string>(options.AuthUsers, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public string Name => SchemeName;

    /// <summary>The scheme name of the callout's grants (<see cref="AuthResult.Scheme"/>).</summary>
    public const string SchemeName = "auth_callout";

    /// <summary>The callout account (<c>account</c>, <c>$G</c> by default).</summary>
    public string Account => _options.Account;

    /// <summary>The callout account's in-process connection the requests go out on.</summary>
    public IInProcessConnection? Connection
    {
        get => _connection;
        set => _connection = value;
    }

    /// <inheritdoc />
    public async ValueTask<AuthResult> AuthenticateAsync(ConnectContext context, CancellationToken cancellationToken)
    {
        var connect = context.Connect;
        if ((!context.Kind.IsClient && context.Kind != ConnectionKind.Leaf)
            || _authUsers.Contains(connect.Username ?? "") || _authUsers.Contains(connect.NKey ?? ""))
        {
            // The service's own users authenticate as configured, never through the callout.
            return AuthResult.NotMine;
        }
        if (context.Current is { Scheme: SchemeName } granted)
        {
            return Confirm(granted);
        }
        if (_connection is not { } connection || _server.Accounts.Find(_options.Account) is not { } account)
        {
            return AuthResult.Deny($"No valid account \"{_options.Account}\" for auth callout request");
        }
        var now = DateTimeOffset.UtcNow;
        var request = AuthorizationRequestBuilder.Build(CalloutRequestInput.From(context, _server, _options.Issuer, _options.XKey), _signingKey, _xkey, now);
        byte[] reply;
        try
        {
            reply = await CalloutRequestInput.SendAsync(connection, request, _server.Options.Auth.Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return AuthResult.Deny($"Auth callout request on account \"{account.Name}\" timed out");
        }
        AuthorizationResponse response;
        try
        {
            response = AuthorizationResponseDecoder.Decode(reply, account.Name, request.UserNKey, _server.ServerId, _xkey, _options.XKey, isKnownIssuer: null, now);
        }
        catch (CalloutException e)
        {
            return AuthResult.Deny(TitleCase(e.Message));
        }
        return Admit(response.User, request.UserNKey, account.Name, context.ConnectionType, now);
    }

    /// <summary>
    /// A connected client checked again (a reload): the service is not asked again (nats-server
    /// never calls it back for a connected client, and a one-time credential would fail the second
    /// time); its grant stands while the account it placed the client in is still allowed.
    /// </summary>
    private AuthResult Confirm(AuthResult granted)
    {
        var placement = granted.Account ?? AccountRegistry.GlobalAccountName;
        return _server.Accounts.Find(placement) is null || (_options.AllowedAccounts.Count > 0 && !_options.AllowedAccounts.Contains(placement))
            ? AuthResult.Deny($"No valid account \"{placement}\" for auth callout grant")
            : granted;
    }

    private AuthResult Admit(UserClaims user, string expectedUser, string account, string connectionType, DateTimeOffset now)
    {
        var vr = new ValidationResults();
        user.Validate(vr, now);
        if (vr.Issues.Count > 0)
        {
            return AuthResult.Deny($"Error validating user JWT: {vr.Issues[0].Description}");
        }
        if (user.Subject != expectedUser)
        {
            return AuthResult.Deny($"Expected authorized user of \"{expectedUser}\" but got \"{user.Subject}\" on account \"{account}\"");
        }
        var (inWindow, validFor) = ConnectTimes.Check(user.Nats, now);
        if (!inWindow)
        {
            return AuthResult.Deny($"Authorized user on account \"{account}\" outside of valid connect times");
        }
        var allowed = AllowedConnectionTypes.Convert(user.Nats.AllowedConnectionTypes, out var unknown);
        if ((unknown.Count > 0 && allowed.Count == 0) || !AllowedConnectionTypes.Allows(allowed, connectionType))
        {
            return AuthResult.Deny($"Authorized user on account \"{account}\" using invalid connection type");
        }
        if (!string.IsNullOrEmpty(user.Nats.IssuerAccount))
        {
            return AuthResult.Deny($"Error non operator mode account \"{account}\": attempted to use issuer_account");
        }
        if (user.Issuer != _options.Issuer)
        {
            return AuthResult.Deny($"Wrong issuer for auth callout response on account \"{account}\", expected \"{_options.Issuer}\" got \"{user.Issuer}\"");
        }
        var placement = string.IsNullOrEmpty(user.Audience) ? AccountRegistry.GlobalAccountName : user.Audience;
        if (_server.Accounts.Find(placement) is null || (_options.AllowedAccounts.Count > 0 && !_options.AllowedAccounts.Contains(placement)))
        {
            return AuthResult.Deny($"No valid account \"{placement}\" for auth callout response on account \"{account}\"");
        }
        var limits = user.Nats;
        DateTimeOffset? expires = user.Expires == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(user.Expires);
        if (validFor != TimeSpan.Zero && (expires is null || now + validFor < expires))
        {
            expires = now + validFor;
        }
        return AuthResult.Accept(placement, string.IsNullOrEmpty(user.Name) ? user.Subject : user.Name,
            JwtPermissions.Build(limits.Pub, limits.Sub, limits.Resp), expires,
            new UserLimits { MaxSubscriptions = limits.Subs, MaxPayload = limits.Payload, MaxData = limits.Data });
    }

    // nats-server's titleCase: the first letter of the reason upper-cased.
    private static string TitleCase(string text) =>
        text.Length == 0 ? text : char.ToUpper(text[0], CultureInfo.InvariantCulture) + text[1..];

    /// <inheritdoc />
    public void Dispose()
    {
        _signingKey.Dispose();
        _xkey?.Dispose();
    }
}
