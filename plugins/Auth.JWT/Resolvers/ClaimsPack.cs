using Nats.Core.Security;

namespace Nats.AuthJwt.Resolvers;

/// <summary>
/// The body of <c>$SYS.REQ.CLAIMS.PACK</c> replies: lines of <c>pubkey|jwt</c> joined by '\n'
/// (an empty reply ends the stream). Parsing follows nats-server's <c>Merge</c>: blank lines are
/// skipped, every other line must split into exactly two parts with an account key first.
/// </summary>
public static class ClaimsPack
{
    /// <summary>One line of a pack: <c>pubkey|jwt</c>.</summary>
    public static string Line(string publicKey, string jwt) => publicKey + "|" + jwt;

    /// <exception cref="AccountResolverException">nats-server's error for the first bad line.</exception>
    public static IEnumerable<(string PublicKey, string Jwt)> Parse(string pack)
    {
        foreach (var line in pack.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }
            var parts = line.Split('|');
            if (parts.Length != 2)
            {
                throw new AccountResolverException($"line in package didn't contain 2 entries: \"{line}\"");
            }
            if (!NKeys.IsValidPublicAccountKey(parts[0]))
            {
                throw new AccountResolverException("key to merge is not a valid public account key");
            }
            yield return (parts[0], parts[1]);
        }
    }
}
