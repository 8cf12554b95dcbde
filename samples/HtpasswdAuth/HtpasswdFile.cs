using Nats.Core.Config;
using Nats.Core.Security;

namespace HtpasswdAuth;

/// <summary>
/// Reads an Apache-style htpasswd file: one <c>user:password</c> per line, where the password
/// is a bcrypt hash (what <c>htpasswd -B</c> writes, <c>$2y$</c>; <c>$2a$</c>/<c>$2b$</c> too)
/// or plain text. Blank lines and lines starting with <c>#</c> are skipped. Other hash kinds
/// (<c>$apr1$</c> MD5, <c>{SHA}</c>) are refused rather than compared as plain text, which
/// would lock their users out without saying why.
/// </summary>
public static class HtpasswdFile
{
    /// <summary>Parses <paramref name="text"/>; errors are <see cref="ConfigException"/>s at <paramref name="option"/>, naming the line.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string text, string path, ConfPosition option)
    {
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var colon = line.IndexOf(':');
            if (colon <= 0 || colon == line.Length - 1)
            {
                throw Error(option, path, i, "expected user:password");
            }
            var user = line[..colon];
            var password = line[(colon + 1)..];
            if ((password.StartsWith('$') && !Bcrypt.IsBcrypt(password)) || password.StartsWith("{SHA}", StringComparison.Ordinal))
            {
                throw Error(option, path, i, $"user \"{user}\": unsupported hash (use bcrypt, htpasswd -B, or a plain password)");
            }
            if (!users.TryAdd(user, password))
            {
                throw Error(option, path, i, $"user \"{user}\" appears twice");
            }
        }
        return users;
    }

    private static ConfigException Error(ConfPosition option, string path, int index, string reason) =>
        new(option, $"htpasswd.file: {path}:{index + 1}: {reason}");
}
