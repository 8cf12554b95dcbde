using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Jwt.Model;
using Nats.Core.Security;

namespace Nats.AuthJwt.Callout;

/// <summary>The server's side of one callout attempt, as nats-server's <c>processClientOrLeafCallout</c> builds it.</summary>
public sealed record AuthorizationRequestInput
{
    /// <summary><c>sub</c>: the callout issuer (config) or the account (operator mode).</summary>
    public required string Subject { get; init; }

    /// <summary><c>server_id</c>: the server asking.</summary>
    public required ServerId Server { get; init; }

    /// <summary><c>client_info</c>: who is connecting.</summary>
    public required ClientInformation Client { get; init; }

    /// <summary><c>connect_opts</c>: what the client sent in CONNECT.</summary>
    public required CalloutConnectOptions Connect { get; init; }

    /// <summary>The INFO nonce; sent in <c>client_info.nonce</c> when the client signed one.</summary>
    public string? Nonce { get; init; }

    /// <summary><c>client_tls</c>: the connection's TLS state and certificates; null on a plain connection.</summary>
    public ClientTls? Tls { get; init; }

    /// <summary><c>exp</c> is now plus this (nats-server's auth timeout).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The service's xkey: when set the request is sealed to it and carries the server's xkey.</summary>
    public string? ServiceXKey { get; init; }
}

/// <summary>A request ready to publish on <c>$SYS.REQ.USER.AUTH</c>, with what the response must match.</summary>
/// <param name="Payload">The JWT, or its sealed form.</param>
/// <param name="XKeyHeader">The <c>Nats-Server-Xkey</c> header value when sealed; null otherwise.</param>
/// <param name="UserNKey">The fresh user key the response's user JWT must have as subject.</param>
public sealed record AuthorizationRequest(byte[] Payload, string? XKeyHeader, string UserNKey);

/// <summary>Builds auth callout requests (ADR-26): a JWT signed by the server's key, sealed when the service has an xkey.</summary>
public static class AuthorizationRequestBuilder
{
    /// <summary>nats-server's <c>AuthCalloutSubject</c>.</summary>
    public const string Subject = "$SYS.REQ.USER.AUTH";

    /// <summary>The request's <c>aud</c>.</summary>
    public const string Audience = "nats-authorization-request";

    /// <summary>The header that carries the server's xkey on a sealed request.</summary>
    public const string XKeyHeader = "Nats-Server-Xkey";

    /// <summary>Builds and signs the request for one attempt (nats-server's <c>processClientOrLeafCallout</c>).</summary>
    /// <param name="input">The attempt: the client, its CONNECT, its TLS state.</param>
    /// <param name="serverKey">The server's N key pair (its <c>server_id</c>).</param>
    /// <param name="serverXKey">The server's curve pair; required when <see cref="AuthorizationRequestInput.ServiceXKey"/> is set.</param>
    /// <param name="now">The request's <c>iat</c>; its <c>exp</c> follows from it.</param>
    public static AuthorizationRequest Build(AuthorizationRequestInput input, NKeyPair serverKey, XKeyPair? serverXKey, DateTimeOffset now)
    {
        using var userKey = NKeyPair.Create(NKeyPrefix.User);
        var claims = new AuthorizationRequestClaims { Subject = input.Subject, Audience = Audience, Expires = (now + input.Timeout).ToUnixTimeSeconds() };
        claims.Nats.Server = input.Server;
        claims.Nats.UserNKey = userKey.PublicKey;
        claims.Nats.ClientInformation = input.Client;
        claims.Nats.ConnectOptions = input.Connect;
        if (!string.IsNullOrEmpty(input.Connect.SignedNonce))
        {
            claims.Nats.ClientInformation.Nonce = input.Nonce;
        }
        claims.Nats.Tls = input.Tls;
        var sealTo = input.ServiceXKey;
        if (sealTo is not null)
        {
            claims.Nats.Server.XKey = (serverXKey ?? throw new ArgumentException("a server xkey is needed to seal", nameof(serverXKey))).PublicKey;
        }
        var jwt = System.Text.Encoding.ASCII.GetBytes(JwtCodec.Encode(claims, serverKey, now));
        return sealTo is null
            ? new AuthorizationRequest(jwt, null, userKey.PublicKey)
            : new AuthorizationRequest(serverXKey!.Seal(jwt, sealTo), serverXKey.PublicKey, userKey.PublicKey);
    }
}
