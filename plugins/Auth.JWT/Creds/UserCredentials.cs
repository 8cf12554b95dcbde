using System.Text;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.Core.Security;

namespace Nats.AuthJwt.Creds;

/// <summary>
/// A creds file: the user JWT and the user's seed, as <c>nsc</c> writes them and nats.go
/// (jwt's <c>ParseDecoratedJWT</c>/<c>ParseDecoratedUserNKey</c>), nats.js, the C client and
/// NATS.Net read them.
/// </summary>
/// <param name="Jwt">The user JWT.</param>
/// <param name="Seed">The user's seed (<c>SU…</c>), which signs the INFO nonce.</param>
public sealed record UserCredentials(string Jwt, string Seed)
{
    /// <summary>Reads a creds file's text; <see cref="CredsException"/> with jwt's wording when it holds no usable JWT or user seed.</summary>
    public static UserCredentials Parse(string contents)
    {
        var blocks = DecoratedJwt.Blocks(contents);
        var jwt = blocks.Count == 0 ? contents : blocks[0];
        string? seed = null;
        if (blocks.Count > 1)
        {
            seed = blocks[1];
        }
        else
        {
            foreach (var line in contents.Split('\n'))
            {
                var trimmed = line.Trim();
                if (trimmed.StartsWith("SO", StringComparison.Ordinal) || trimmed.StartsWith("SA", StringComparison.Ordinal)
                    || trimmed.StartsWith("SU", StringComparison.Ordinal))
                {
                    seed = line;
                    break;
                }
            }
        }
        if (seed is null)
        {
            throw new CredsException("no nkey seed found");
        }
        if (!seed.StartsWith("SO", StringComparison.Ordinal) && !seed.StartsWith("SA", StringComparison.Ordinal)
            && !seed.StartsWith("SU", StringComparison.Ordinal))
        {
            throw new CredsException("doesn't contain a seed nkey");
        }
        try
        {
            using var pair = NKeyPair.FromSeed(seed);
            if (pair.Role != NKeyPrefix.User)
            {
                throw new CredsException("doesn't contain an user seed nkey");
            }
        }
        catch (NKeyException e)
        {
            throw new CredsException(e.Message, e);
        }
        return new UserCredentials(jwt, seed);
    }

    /// <summary>Reads a creds file from disk.</summary>
    public static UserCredentials Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>Signs the INFO <paramref name="nonce"/> with the seed: the CONNECT <c>sig</c> (raw URL base64), as clients send it.</summary>
    public string SignNonce(string nonce)
    {
        using var pair = NKeyPair.FromSeed(Seed);
        return System.Buffers.Text.Base64Url.EncodeToString(pair.Sign(Encoding.ASCII.GetBytes(nonce)));
    }

    /// <summary>
    /// jwt <c>FormatUserConfig</c>: the decorated file <c>nsc</c> writes. The JWT must be a user JWT
    /// whose subject is the seed's public key.
    /// </summary>
    public static string Format(string userJwt, string seed)
    {
        var claims = JwtCodec.Decode(userJwt);
        if (claims.ClaimType != ClaimTypes.User)
        {
            throw new CredsException($"\"{claims.ClaimType}\" cannot be serialized as a user config");
        }
        var trimmedSeed = seed.Trim();
        if (!trimmedSeed.StartsWith("SU", StringComparison.Ordinal))
        {
            throw new CredsException("nkey seed is not an user seed");
        }
        using var pair = NKeyPair.FromSeed(trimmedSeed);
        if (pair.PublicKey != claims.Subject)
        {
            throw new CredsException("nkey seed does not match the jwt subject");
        }
        return "-----BEGIN NATS USER JWT-----\n" + userJwt + "\n------END NATS USER JWT------\n\n"
            + "************************* IMPORTANT *************************\n"
            + "NKEY Seed printed below can be used to sign and prove identity.\n"
            + "NKEYs are sensitive and should be treated as secrets.\n\n"
            + "-----BEGIN USER NKEY SEED-----\n" + trimmedSeed + "\n------END USER NKEY SEED------\n\n"
            + "*************************************************************\n";
    }
}

/// <summary>A creds file that cannot be used; the message is jwt's/nkeys' wording.</summary>
public sealed class CredsException(string message, Exception? inner = null) : Exception(message, inner);
