using System.Text;

namespace Nats.Core.Config;

/// <summary>
/// The <c>config_digest</c> nats-server shows in <c>-t</c> output and <c>/varz</c>: SHA-256
/// of the parsed config encoded as Go's <c>json.Encoder</c> writes it (sorted keys, compact,
/// trailing new line), formatted <c>sha256:&lt;hex&gt;</c>. Comments, spacing, quoting and
/// where a key came from (include, variable) don't change it; values do.
/// </summary>
/// <remarks>
/// SHA-256 from libsodium (NSec), which the kernel loads anyway, not <c>SHA256</c>: on Linux
/// that is OpenSSL's, and loading OpenSSL at every start for one digest cost a server without
/// TLS about 5 MB of resident memory (issue 16).
/// </remarks>
public static class ConfigDigest
{
    /// <summary>Computes the digest of a parsed config.</summary>
    public static string Compute(ConfMap config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var json = new StringBuilder();
        GoJsonWriter.Write(json, config);
        json.Append('\n');
        var hash = NSec.Cryptography.HashAlgorithm.Sha256.Hash(Encoding.UTF8.GetBytes(json.ToString()));
        return "sha256:" + Convert.ToHexStringLower(hash);
    }
}
