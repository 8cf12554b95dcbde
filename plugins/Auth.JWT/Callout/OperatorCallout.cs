using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Nats.AuthJwt.Accounts;
using Nats.AuthJwt.Auth;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Jwt.Model;
using Nats.AuthJwt.Logging;
using Nats.Core;
using Nats.Core.Accounts;
using Nats.Core.Config;
using Nats.Core.Plugins;
using Nats.Core.Security;

namespace Nats.AuthJwt.Callout;

/// <summary>
/// Auth callout in operator mode (ADR-26), decided by the account JWTs rather than the config: an
/// account whose claims carry <c>authorization { auth_users, allowed_accounts, xkey }</c> delegates
/// its users, except the <c>auth_users</c> (the service's own), to a service subscribed on
/// <c>$SYS.REQ.USER.AUTH</c> in that account. As nats-server's <c>processClientOrLeafCallout</c>
/// does in operator mode: the request's <c>sub</c> is the account, it is sealed when the account
/// names an <c>xkey</c>; an unsealed answer must be signed by the account or one of its signing
/// keys; the user JWT inside must be issued by the account or an <c>allowed_accounts</c> one (or
/// their signing keys, scoped templates applied), which is where the client is placed; a client
/// placed in the callout account may not publish to <c>$SYS.REQ.USER.AUTH</c>.
/// </summary>
/// <remarks>
/// Thread-safe: one in-process connection per callout account, made on first use; each request has
/// its own inbox and waits at most the authorization timeout, off the I/O threads.
/// </remarks>
public sealed class OperatorCallout : IAsyncDisposable
{
    private readonly NatsServer _server;
    private readonly JwtAccountResolver _accounts;
    private readonly Func<Account, IInProcessConnection> _connect;
    private readonly NKeyPair _signingKey = NKeyPair.Create(NKeyPrefix.Server);
    private readonly XKeyPair _xkey = XKeyPair.Create();
    private readonly ConcurrentDictionary<string, Lazy<IInProcessConnection>> _connections = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    /// <summary>The operator-mode callout: accounts from <paramref name="accounts"/> that name a callout are asked through an in-process connection <paramref name="connect"/> makes in them.</summary>
    public OperatorCallout(NatsServer server, JwtAccountResolver accounts, Func<Account, IInProcessConnection> connect, ILogger logger)
    {
        _server = server;
        _accounts = accounts;
        _connect = connect;
        _logger = logger;
    }

    /// <summary>
    /// nats-server's <c>hasExternalAuth</c> and <c>isExternalAuthUser</c>: true when the account's
    /// claims enable a callout and <paramref name="user"/> is not one of its <c>auth_users</c>.
    /// </summary>
    public bool Applies(string account, string user, out AccountClaims claims)
    {
        if (_accounts.TryGetCached(account, out var found) && found.Nats.Authorization.IsEnabled && !found.Nats.Authorization.AuthUsers!.Contains(user))
        {
            claims = found;
            return true;
        }
        claims = null!;
        return false;
    }

    /// <summary>
    /// Asks the account's callout service about the client and admits it as the answer says; the
    /// result names the <c>auth_callout</c> scheme. A connected client checked again (an account
    /// update, <see cref="ConnectContext.Current"/> granted by the callout) is not sent to the service
    /// again: the grant stands while the account it placed the client in is still the callout
    /// account or one the callout account's claims allow.
    /// </summary>
    public async ValueTask<AuthResult> AuthenticateAsync(ConnectContext context, AccountClaims calloutAccount, CancellationToken cancellationToken)
    {
        if (context.Current is { Scheme: CalloutAuthenticator.SchemeName } granted)
        {
            return Confirm(granted, calloutAccount);
        }
        return (await AskAsync(context, calloutAccount, cancellationToken).ConfigureAwait(false)).WithScheme(CalloutAuthenticator.SchemeName);
    }

    private static AuthResult Confirm(AuthResult granted, AccountClaims calloutAccount)
    {
        var placement = granted.Account ?? "";
        var allowedAccounts = calloutAccount.Nats.Authorization.AllowedAccounts ?? [];
        return placement == calloutAccount.Subject || allowedAccounts is ["*"] || allowedAccounts.Contains(placement)
            ? granted
            : AuthResult.Deny($"Account \"{placement}\" no longer permitted as valid account option for auth callout for account \"{calloutAccount.Subject}\"")
                .WithScheme(CalloutAuthenticator.SchemeName);
    }

    private async ValueTask<AuthResult> AskAsync(ConnectContext context, AccountClaims calloutAccount, CancellationToken cancellationToken)
    {
        var accountKey = calloutAccount.Subject!;
        var account = await _server.Accounts.FindOrResolveAsync(accountKey, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return AuthResult.Deny($"{context.Kind.Name} not mapped to a callout account");
        }
        var connection = _connections.GetOrAdd(accountKey, _ => new Lazy<IInProcessConnection>(() => _connect(account))).Value;
        var now = DateTimeOffset.UtcNow;
        var serviceXKey = string.IsNullOrEmpty(calloutAccount.Nats.Authorization.XKey) ? null : calloutAccount.Nats.Authorization.XKey;
        var request = AuthorizationRequestBuilder.Build(CalloutRequestInput.From(context, _server, accountKey, serviceXKey), _signingKey, serviceXKey is null ? null : _xkey, now);
        byte[] reply;
        try
        {
            reply = await CalloutRequestInput.SendAsync(connection, request, _server.Options.Auth.Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return AuthResult.Deny($"Auth callout request on account \"{accountKey}\" timed out");
        }
        AuthorizationResponse response;
        try
        {
            var signingKeys = calloutAccount.Nats.SigningKeys;
            response = AuthorizationResponseDecoder.Decode(reply, accountKey, request.UserNKey, _server.ServerId,
                serviceXKey is null ? null : _xkey, serviceXKey, key => signingKeys?.ContainsKey(key) == true, now);
            return await AdmitAsync(response.User, request.UserNKey, calloutAccount, context.ConnectionType, now, cancellationToken).ConfigureAwait(false);
        }
        catch (CalloutException e)
        {
            return AuthResult.Deny(TitleCase(e.Message));
        }
    }

    private async ValueTask<AuthResult> AdmitAsync(UserClaims user, string expectedUser, AccountClaims calloutAccount, string connectionType, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var account = calloutAccount.Subject!;
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
        // getIssuerAccount: the callout account itself, or one it allows (a lone "*" allows any).
        var issuerAccount = string.IsNullOrEmpty(user.Nats.IssuerAccount) ? user.Issuer! : user.Nats.IssuerAccount;
        var allowedAccounts = calloutAccount.Nats.Authorization.AllowedAccounts ?? [];
        if (issuerAccount != account && !(allowedAccounts is ["*"] || allowedAccounts.Contains(issuerAccount)))
        {
            return AuthResult.Deny($"Account \"{user.Issuer}\" not permitted as valid account option for auth callout for account \"{account}\"");
        }
        var lookup = await _accounts.LookupAsync(issuerAccount, cancellationToken).ConfigureAwait(false);
        if (lookup.Claims is not { } target)
        {
            return AuthResult.Deny($"No valid account \"{issuerAccount}\" for auth callout response on account \"{account}\": {lookup.Error}");
        }
        if (!_accounts.Trust.UserIssuers(target).TryGetValue(user.Issuer ?? "", out var scope))
        {
            return AuthResult.Deny($"User JWT issuer \"{user.Issuer}\" is not known");
        }
        if (scope is not null)
        {
            if (!user.HasEmptyPermissions)
            {
                return AuthResult.Deny("User JWT is not valid: scoped users require no permissions or limits set");
            }
            try
            {
                user.Nats.AssignLimits(PermissionTemplates.Apply(scope.Template, user, target));
            }
            catch (TemplateException e)
            {
                return AuthResult.Deny($"User JWT generated invalid permissions: {e.Message}");
            }
        }
        var limits = user.Nats;
        var permissions = JwtPermissions.Build(limits.Pub, limits.Sub, limits.Resp);
        if (issuerAccount == account)
        {
            // nats-server merges this deny into users placed in the callout account: no forged requests.
            permissions ??= new PermissionsConfig();
            permissions.Publish ??= new SubjectPermissionConfig();
            permissions.Publish.Deny = [.. permissions.Publish.Deny ?? [], AuthorizationRequestBuilder.Subject];
        }
        DateTimeOffset? expires = user.Expires == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(user.Expires);
        if (validFor != TimeSpan.Zero && (expires is null || now + validFor < expires))
        {
            expires = now + validFor;
        }
        AuthJwtLog.CalloutPlacedUser(_logger, account, user.Subject, issuerAccount);
        return AuthResult.Accept(issuerAccount, string.IsNullOrEmpty(user.Name) ? user.Subject : user.Name, permissions, expires,
            new UserLimits { MaxSubscriptions = limits.Subs, MaxPayload = limits.Payload, MaxData = limits.Data });
    }

    // nats-server's titleCase: the first letter of the reason upper-cased.
    private static string TitleCase(string text) =>
        text.Length == 0 ? text : char.ToUpper(text[0], CultureInfo.InvariantCulture) + text[1..];

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections.Values)
        {
            if (connection.IsValueCreated)
            {
                await connection.Value.DisposeAsync().ConfigureAwait(false);
            }
        }
        _signingKey.Dispose();
        _xkey.Dispose();
    }
}

/// <summary>The request input and the send, shared by the config-mode and the operator-mode callout.</summary>
internal static class CalloutRequestInput
{
    public static AuthorizationRequestInput From(ConnectContext context, NatsServer server, string subject, string? serviceXKey)
    {
        var connect = context.Connect;
        var options = server.Options;
        return new AuthorizationRequestInput
        {
            Subject = subject,
            Server = new ServerId { Name = server.Name, Host = options.Host, Id = server.ServerId, Version = Nats.Core.ServerVersion.CompatibleNatsVersion },
            Client = new ClientInformation
            {
                Host = context.RemoteEndPoint?.Address.ToString(),
                User = connect.Username,
                Name = connect.Name,
                Kind = context.Kind == ConnectionKind.Leaf ? "Leafnode" : "Client",
                Type = context.Kind.ConnzType,
            },
            Connect = new CalloutConnectOptions
            {
                Jwt = connect.Jwt, NKey = connect.NKey, SignedNonce = connect.Signature, Token = connect.Token,
                Username = connect.Username, Password = connect.Password, Name = connect.Name,
                Lang = connect.Lang, Version = connect.Version, Protocol = connect.Protocol,
            },
            Nonce = context.Nonce,
            Timeout = options.Auth.Timeout,
            ServiceXKey = serviceXKey,
        };
    }

    /// <summary>Publishes the request on <c>$SYS.REQ.USER.AUTH</c> with a private inbox and waits for one answer.</summary>
    /// <exception cref="TimeoutException">No answer within <paramref name="timeout"/>.</exception>
    public static async Task<byte[]> SendAsync(IInProcessConnection connection, AuthorizationRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var inbox = "_INBOX." + Guid.NewGuid().ToString("N");
        var answer = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = connection.Subscribe(inbox, null, message =>
        {
            answer.TrySetResult(message.Payload.ToArray());
            return ValueTask.CompletedTask;
        });
        var headers = request.XKeyHeader is { } xkey
            ? Encoding.ASCII.GetBytes($"NATS/1.0\r\n{AuthorizationRequestBuilder.XKeyHeader}: {xkey}\r\n\r\n")
            : [];
        connection.Publish(AuthorizationRequestBuilder.Subject, request.Payload, inbox, headers);
        return await answer.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
    }
}
