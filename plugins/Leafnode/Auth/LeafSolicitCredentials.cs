using System.Text;
using System.Text.RegularExpressions;
using Nats.Core.Security;
using Nats.Leafnode.Config;

namespace Nats.Leafnode.Auth;

/// <summary>
/// What a soliciting leaf puts in CONNECT to authenticate, as nats-server's
/// <c>sendLeafConnect</c>: a <c>credentials</c> file (its JWT, and its seed signing the hub's
/// nonce) first, then an <c>nkey</c> seed (its public key and the signature), then the URL's
/// user and password. A user without a password is also sent as <c>auth_token</c>.
/// </summary>
internal static partial class LeafSolicitCredentials
{
    /// <summary>The CONNECT auth fields for <paramref name="remote"/> dialled at <paramref name="url"/>.</summary>
    /// <exception cref="InvalidOperationException">The credentials file cannot be read or is malformed (message as nats-server logs it).</exception>
    public static (string? Jwt, string? NKey, string? Signature, string? User, string? Password, string? Token) For(RemoteLeafOptions remote, Uri url, string? nonce)
    {
        string? user = null, password = null, token = null;
        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            var parts = url.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : null;
            if (password is null)
            {
                token = user;
            }
        }
        var nonceBytes = Encoding.ASCII.GetBytes(nonce ?? "");
        if (remote.Credentials.Length > 0)
        {
            var (jwt, seed) = ReadCredentials(remote.Credentials);
            using var pair = NKeyPair.FromSeed(seed);
            return (jwt, null, Base64Url(pair.Sign(nonceBytes)), user, password, token);
        }
        if (remote.NKeySeed.Length > 0)
        {
            using var pair = NKeyPair.FromSeed(remote.NKeySeed);
            return (null, pair.PublicKey, Base64Url(pair.Sign(nonceBytes)), user, password, token);
        }
        return (null, null, null, user, password, token);
    }

    /// <summary>The user JWT and seed of a creds file (nats-server's <c>credsRe</c>: the first two fenced blocks).</summary>
    internal static (string Jwt, string Seed) ReadCredentials(string path)
    {
        string contents;
        try
        {
            contents = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"open {path}: {e.Message}", e);
        }
        var items = CredsRegex().Matches(contents);
        if (items.Count < 2)
        {
            throw new InvalidOperationException("Credentials file malformed");
        }
        var seed = items[1].Groups[1].Value.Trim();
        try
        {
            NKeys.DecodeSeed(seed);
        }
        catch (NKeyException)
        {
            throw new InvalidOperationException("Credentials file has malformed seed");
        }
        return (items[0].Groups[1].Value.Trim(), seed);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex(@"\s*(?:(?:[-]{3,}[^\n]*[-]{3,}\n)(.+)(?:\n\s*[-]{3,}[^\n]*[-]{3,}\n))")]
    private static partial Regex CredsRegex();
}
