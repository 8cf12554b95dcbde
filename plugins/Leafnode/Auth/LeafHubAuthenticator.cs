using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Nats.Core;
using Nats.Core.Accounts;
using Nats.Core.Config;
using Nats.Core.Plugins;
using Nats.Core.Protocol;
using Nats.Core.Security;
using Nats.Leafnode.Config;
using Nats.Leafnode.Protocol;

namespace Nats.Leafnode.Auth;

/// <summary>What a hub decided about a leaf's CONNECT: the account it binds to, or why not.</summary>
internal sealed record LeafAuthOutcome(Account? Account, string? User, string? Reason, PermissionsConfig? Permissions)
{
    public bool IsAccepted => Account is not null;

    public static LeafAuthOutcome Denied(string reason) => new(null, null, reason, null);
}

/// <summary>
/// The hub's choice of account for a leaf, as nats-server's <c>isLeafNodeAuthorized</c>
/// (2.12+, PR #7116): <c>leafnodes.authorization</c>'s single user, then its single nkey (a
/// signature over our nonce), then its users, each binding to its configured account; with
/// none of those, a server that requires no authentication at all binds the leaf to
/// <c>leafnodes.authorization.account</c> (or $G); otherwise the leaf authenticates like a
/// client, through the server's whole authenticator chain, and binds to that user's account.
/// </summary>
/// <remarks>
/// There is no fallback: a leaf that fails one of these steps is refused, never bound to the
/// global account or any account it did not authenticate for (nats-server #6972). An account
/// that does not exist (and no resolver supplies) refuses the leaf too.
/// </remarks>
internal static class LeafHubAuthenticator
{
    public static async ValueTask<LeafAuthOutcome> AuthenticateAsync(
        NatsServer server, LeafnodeOptions options, LeafConnectInfo connect, string nonce,
        X509Certificate2? peerCertificate, IPEndPoint? remote, CancellationToken cancellationToken)
    {
        if (options.Username.Length > 0)
        {
            if (connect.User != options.Username || !PasswordVerifier.Verify(options.Password, connect.Password))
            {
                return LeafAuthOutcome.Denied($"user \"{connect.User}\" is not the leafnode authorization user or has a wrong password");
            }
            return await BindAsync(server, options.Account, options.Username, null, cancellationToken).ConfigureAwait(false);
        }
        if (options.NKey.Length > 0)
        {
            if (connect.NKey != options.NKey)
            {
                return LeafAuthOutcome.Denied($"nkey \"{connect.NKey}\" is not the leafnode authorization nkey");
            }
            var verdict = NonceSignature.Verify(options.NKey, Encoding.ASCII.GetBytes(nonce), connect.Signature);
            if (verdict != NonceSignatureResult.Verified)
            {
                return LeafAuthOutcome.Denied(SignatureText(verdict));
            }
            return await BindAsync(server, options.Account, options.NKey, null, cancellationToken).ConfigureAwait(false);
        }
        if (options.Users.Count > 0)
        {
            foreach (var user in options.Users)
            {
                if (user.Username == connect.User)
                {
                    if (!PasswordVerifier.Verify(user.Password, connect.Password))
                    {
                        return LeafAuthOutcome.Denied($"wrong password for leafnode user \"{user.Username}\"");
                    }
                    return await BindAsync(server, user.Account, user.Username, null, cancellationToken).ConfigureAwait(false);
                }
            }
            return LeafAuthOutcome.Denied($"user \"{connect.User}\" is not a leafnode authorization user");
        }
        var auth = server.Auth;
        if (!auth.IsAuthRequired)
        {
            // Only a server that authenticates nobody binds a leaf without credentials.
            return await BindAsync(server, options.Account, null, null, cancellationToken).ConfigureAwait(false);
        }
        var context = new ConnectContext
        {
            Connect = ToClientConnect(connect),
            Nonce = nonce,
            PeerCertificate = peerCertificate,
            Kind = ConnectionKind.Leaf,
            RemoteEndPoint = remote,
        };
        var result = await auth.AuthenticateAsync(context, cancellationToken).ConfigureAwait(false);
        if (result.Decision != AuthDecision.Accepted)
        {
            return LeafAuthOutcome.Denied(result.Reason ?? "not authorized");
        }
        return await BindAsync(server, result.Account, result.User, result.Permissions, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The account named (empty or null: $G); a name nobody knows refuses the leaf.</summary>
    private static async ValueTask<LeafAuthOutcome> BindAsync(NatsServer server, string? accountName, string? user, PermissionsConfig? permissions, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(accountName))
        {
            return new LeafAuthOutcome(server.Accounts.Global, user, null, permissions);
        }
        var account = await server.Accounts.FindOrResolveAsync(accountName, cancellationToken).ConfigureAwait(false);
        if (account is null || account.IsRemoved)
        {
            return LeafAuthOutcome.Denied($"account \"{accountName}\" not found");
        }
        return new LeafAuthOutcome(account, user, null, permissions);
    }

    /// <summary>The client fields of a leaf CONNECT, for the server's authenticators.</summary>
    private static ConnectOptions ToClientConnect(LeafConnectInfo connect) => new()
    {
        Verbose = false,
        Pedantic = false,
        Echo = false,
        Username = connect.User,
        Password = connect.Password,
        Token = connect.Token,
        NKey = connect.NKey,
        Signature = connect.Signature,
        Jwt = connect.Jwt,
        Name = connect.Name,
        Version = connect.Version,
        Headers = connect.Headers,
        TlsRequired = connect.TlsRequired,
    };

    private static string SignatureText(NonceSignatureResult verdict) => verdict switch
    {
        NonceSignatureResult.SignatureMissing => "Signature missing",
        NonceSignatureResult.SignatureNotBase64 => "Signature not valid base64",
        NonceSignatureResult.InvalidPublicKey => "User nkey not valid",
        _ => "Signature not verified",
    };
}
