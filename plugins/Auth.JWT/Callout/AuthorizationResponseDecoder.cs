using System.Text;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;

namespace Nats.AuthJwt.Callout;

/// <summary>The decoded callout answer: the user JWT to check further, and how it came.</summary>
/// <param name="User">The user claims inside the response.</param>
/// <param name="Response">The response claims.</param>
/// <param name="WasSealed">True when the service sealed the response.</param>
public sealed record AuthorizationResponse(UserClaims User, AuthorizationResponseClaims Response, bool WasSealed);

/// <summary>
/// nats-server's <c>decodeResponse</c> for auth callout replies: an empty reply is a denial; a
/// reply not starting with <c>eyJ</c> is opened with the server's xkey; the response must
/// validate, be for the expected user key and this server, carry no error, and (operator mode,
/// unsealed) be signed by the account or one of its signing keys. Errors carry nats-server's text.
/// </summary>
public static class AuthorizationResponseDecoder
{
    private static readonly byte[] JwtPrefix = "eyJ"u8.ToArray();

    /// <param name="payload">The reply body.</param>
    /// <param name="account">The account the request was sent in (its name or key).</param>
    /// <param name="expectedUserNKey">The request's <c>user_nkey</c>.</param>
    /// <param name="serverId">This server's ID (the response's <c>aud</c>).</param>
    /// <param name="serverXKey">The server's curve pair when the request was sealed; null otherwise.</param>
    /// <param name="serviceXKey">The service's xkey the reply is opened from.</param>
    /// <param name="isKnownIssuer">Operator mode: whether a key may sign for the account (its own key or a signing key); null outside operator mode.</param>
    /// <param name="now">The time the response's <c>exp</c> is checked against.</param>
    /// <exception cref="CalloutException">Why the reply denies or is unusable.</exception>
    public static AuthorizationResponse Decode(ReadOnlySpan<byte> payload, string account, string expectedUserNKey, string serverId,
        XKeyPair? serverXKey, string? serviceXKey, Func<string, bool>? isKnownIssuer, DateTimeOffset now)
    {
        if (payload.IsEmpty)
        {
            throw new CalloutException($"auth callout violation: \"no reason supplied\" on account \"{account}\"");
        }
        var body = payload.ToArray();
        var sealedReply = false;
        if (serverXKey is not null && !payload.StartsWith(JwtPrefix))
        {
            try
            {
                body = serverXKey.Open(body, serviceXKey ?? "");
            }
            catch (Nats.Core.Security.NKeyException e)
            {
                throw new CalloutException($"error decrypting auth callout response on account \"{account}\": {e.Message}");
            }
            sealedReply = true;
        }
        AuthorizationResponseClaims response;
        try
        {
            response = JwtCodec.DecodeAuthorizationResponseClaims(Encoding.ASCII.GetString(body));
        }
        catch (JwtException e)
        {
            throw new CalloutException(e.Message);
        }
        var vr = new ValidationResults();
        response.Validate(vr, now);
        if (!vr.IsEmpty)
        {
            throw new CalloutException($"authorization response had validation errors: {vr.Issues[0].Description}");
        }
        if (response.Subject != expectedUserNKey)
        {
            throw new CalloutException("auth callout violation: auth callout response is not for expected user");
        }
        if (response.Audience != serverId)
        {
            throw new CalloutException("auth callout violation: auth callout response is not for server");
        }
        if (!string.IsNullOrEmpty(response.Nats.Error))
        {
            throw new CalloutException($"auth callout service returned an error: {response.Nats.Error}");
        }
        if (isKnownIssuer is not null && !sealedReply)
        {
            var signer = string.IsNullOrEmpty(response.Nats.IssuerAccount) ? response.Issuer! : response.Nats.IssuerAccount;
            if (signer != account && !isKnownIssuer(signer))
            {
                throw new CalloutException("auth callout signing key is unknown");
            }
        }
        try
        {
            return new AuthorizationResponse(JwtCodec.DecodeUserClaims(response.Nats.Jwt!), response, sealedReply);
        }
        catch (JwtException e)
        {
            throw new CalloutException(e.Message);
        }
    }
}

/// <summary>A callout reply that denies or cannot be used; nats-server logs it title-cased.</summary>
public sealed class CalloutException(string message) : Exception(message);
