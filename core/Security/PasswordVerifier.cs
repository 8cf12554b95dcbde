using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Nats.Core.Security;

/// <summary>
/// nats-server's <c>comparePasswords</c> (server/auth.go), used for passwords and tokens alike:
/// a configured value that <see cref="Bcrypt.IsBcrypt"/> recognises is checked with bcrypt,
/// anything else with a constant-time comparison.
/// </summary>
/// <remarks>
/// <see cref="Verify"/> is synchronous and runs bcrypt inline: fine for tools, tests and config
/// checks. Connection handling uses <see cref="BcryptWorker.VerifyAsync"/>, which applies the
/// same rule without ever running bcrypt on the caller's thread.
/// </remarks>
public static class PasswordVerifier
{
    /// <summary>True when <paramref name="presented"/> (from CONNECT; null counts as empty) matches <paramref name="configured"/>.</summary>
    public static bool Verify(string configured, string? presented)
    {
        ArgumentNullException.ThrowIfNull(configured);
        presented ??= string.Empty;
        return Bcrypt.IsBcrypt(configured)
            ? Bcrypt.Verify(presented, configured)
            : FixedTimeEquals(configured, presented);
    }

    /// <summary>
    /// Equality whose time does not depend on where the strings differ (Go's
    /// subtle.ConstantTimeCompare). As in Go, a length mismatch answers at once: the length of
    /// a secret is not treated as secret.
    /// </summary>
    public static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(
            MemoryMarshal.AsBytes(a.AsSpan()), MemoryMarshal.AsBytes(b.AsSpan()));
}
