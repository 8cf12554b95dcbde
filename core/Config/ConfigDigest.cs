using System.Security.Cryptography;
using System.Text;

namespace Nats.Core.Config;

/// <summary>
/// The <c>config_digest</c> nats-server shows in <c>-t</c> output and <c>/varz</c>: SHA-256
/// of the parsed config encoded as Go's <c>json.Encoder</c> writes it (sorted keys, compact,
/// trailing new line), formatted <c>sha256:&lt;hex&gt;</c>. Comments, spacing, quoting and
/// where a key came from (include, variable) don't change it; values do.
/// </summary>
public static class ConfigDigest
{
    /// <summary>Computes the digest of a parsed config.</summary>
    public static string Compute(ConfMap config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var json = new StringBuilder();
        GoJsonWriter.Write(json, config);
        json.Append('\n');
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(json.ToString()));
        return "sha256:" + Convert.ToHexStringLower(hash);
    }
}
