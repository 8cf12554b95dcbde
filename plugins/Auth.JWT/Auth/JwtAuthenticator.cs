using System.Text;
using Microsoft.Extensions.Logging;
using Nats.AuthJwt.Logging;
using Nats.Core.Accounts;
using Nats.Core.Plugins;
using Nats.Core.Security;

namespace Nats.AuthJwt.Auth;

/// <summary>
/// Authenticates clients that present a user JWT (CONNECT <c>jwt</c> and <c>sig</c>, as creds
/// files make clients send): <see cref="UserJwtCheck"/> decides, and an accepted user is bound to
/// its account (by public key; the kernel resolves it through the plugin's account resolver) with
/// the JWT's permissions, limits and expiry. Connections without a JWT are not its business: in
/// operator mode nothing else accepts them, so they are refused with <c>Authorization Violation</c>.
/// </summary>
/// <remarks>A user of an account whose claims enable auth callout (<c>authorization.auth_users</c>) and
/// who is not one of those users is decided by the account's callout service (<see cref="Callout.OperatorCallout"/>).
/// Needs the INFO nonce (<see cref="INonceRequired"/>). Thread-safe; the check is pure.</remarks>
public sealed class JwtAuthenticator(UserJwtCheck check, ILogger logger, Callout.OperatorCallout? callout = null) : IAuthenticator, INonceRequired
{
    /// <inheritdoc />
    public string Name => "jwt";

    /// <inheritdoc />
    public async ValueTask<AuthResult> AuthenticateAsync(ConnectContext context, CancellationToken cancellationToken)
    {
        // Routes and gateways authenticate by their own means; leaf nodes may carry user JWTs.
        if ((!context.Kind.IsClient && context.Kind != ConnectionKind.Leaf) || string.IsNullOrEmpty(context.Connect.Jwt))
        {
            return AuthResult.NotMine;
        }
        var request = new UserJwtRequest
        {
            Jwt = context.Connect.Jwt,
            Signature = context.Connect.Signature,
            Nonce = Encoding.ASCII.GetBytes(context.Nonce ?? ""),
            ConnectionType = context.ConnectionType,
            RemoteAddress = context.RemoteEndPoint?.Address is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : context.RemoteEndPoint?.Address,
        };
        var outcome = await check.CheckAsync(request, cancellationToken).ConfigureAwait(false);
        if (outcome.User is not { } user)
        {
            AuthJwtLog.UserJwtRefused(logger, outcome.Reason);
            return AuthResult.Deny(outcome.Reason!);
        }
        if (callout is not null && callout.Applies(user.Account, user.User, out var calloutAccount))
        {
            // The account's claims delegate its users (other than the service's own) to its callout service.
            return await callout.AuthenticateAsync(context, calloutAccount, cancellationToken).ConfigureAwait(false);
        }
        return AuthResult.Accept(user.Account, user.User, user.Permissions, user.Expires, new UserLimits
        {
            MaxSubscriptions = user.MaxSubscriptions,
            MaxPayload = user.MaxPayload,
            MaxData = user.MaxData,
        });
    }
}
