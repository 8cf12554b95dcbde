using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Nats.Core.Security;

/// <summary>
/// bcrypt as nats-server uses it: <see cref="IsBcrypt"/> is its <c>isBcrypt</c>, <see cref="Verify"/>
/// reproduces golang.org/x/crypto/bcrypt <c>CompareHashAndPassword</c>, and <see cref="Hash"/>
/// produces what <c>nats server passwd</c> / <c>bcrypt.GenerateFromPassword</c> produce ("$2a$").
/// </summary>
/// <remarks>
/// Deliberately slow (cost 11 is ~100 ms of CPU). Never call <see cref="Verify"/> on an I/O
/// thread: the server goes through <see cref="BcryptWorker"/>.
/// The core is BCrypt.Net-Next's bcrypt; the string format is parsed here, like Go does, and the
/// cost and salt are handed to it as a canonical "$2a$" salt, so that every minor version ('a',
/// 'b', 'x', 'y', none) verifies with the same algorithm as in Go (which treats them all alike:
/// the key is the password and a NUL, cut at 72 bytes) and the same malformed hashes are refused.
/// </remarks>
public static class Bcrypt
{
    /// <summary>Smallest cost bcrypt accepts.</summary>
    public const int MinCost = 4;

    /// <summary>Largest cost bcrypt accepts.</summary>
    public const int MaxCost = 31;

    /// <summary>The cost <c>nats server passwd</c> uses.</summary>
    public const int DefaultCost = 11;

    private const int SaltChars = 22;
    private const int HashChars = 31;
    private const int SaltBytes = 16;
    private const int MaxKeyBytes = 72;
    private const int MinHashSize = 59; // x/crypto/bcrypt's minHashSize

    /// <summary>
    /// True when a configured password or token is a bcrypt hash, by nats-server's rule:
    /// it matches <c>^\$2[abxy]\$\d{2}\$</c>. Anything else is compared as plain text.
    /// </summary>
    public static bool IsBcrypt(string? value) =>
        value is { Length: >= 7 }
        && value[0] == '$' && value[1] == '2' && value[2] is 'a' or 'b' or 'x' or 'y' && value[3] == '$'
        && char.IsAsciiDigit(value[4]) && char.IsAsciiDigit(value[5]) && value[6] == '$';

    /// <summary>Hashes <paramref name="password"/> with a random salt into a "$2a$" string.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Cost outside 4..31.</exception>
    /// <exception cref="ArgumentException">The password is longer than 72 UTF-8 bytes (bcrypt would silently ignore the rest; Go refuses too).</exception>
    public static string Hash(string password, int cost = DefaultCost)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, MinCost);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cost, MaxCost);
        if (Encoding.UTF8.GetByteCount(password) > MaxKeyBytes)
        {
            throw new ArgumentException("bcrypt: password length exceeds 72 bytes", nameof(password));
        }
        var salt = new byte[SaltBytes];
        SecureRandom.Fill(salt);

        Span<char> text = stackalloc char[7 + SaltChars + HashChars];
        "$2a$".CopyTo(text);
        text[4] = (char)('0' + cost / 10);
        text[5] = (char)('0' + cost % 10);
        text[6] = '$';
        GoBase64.EncodeUnpadded(GoBase64.Bcrypt, salt, text.Slice(7), out _);
        ComputeHashChars(password, salt, cost, text.Slice(7 + SaltChars));
        return new string(text);
    }

    /// <summary>
    /// True when <paramref name="password"/> matches <paramref name="hash"/>. Any malformed hash
    /// answers false, never throws. Runs the full bcrypt cost: call it off the I/O threads.
    /// </summary>
    public static bool Verify(string password, string hash)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (hash is null || hash.Length < MinHashSize || hash[0] != '$' || hash[1] > '2')
        {
            return false;
        }
        // Go: "$2$" has no minor version, anything else in position 2 is one; the character
        // after the minor and after the cost are skipped without being checked.
        var n = hash[2] == '$' ? 3 : 4;
        if (!int.TryParse(hash.AsSpan(n, 2), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var cost)
            || cost < MinCost || cost > MaxCost)
        {
            return false;
        }
        n += 3;
        var saltStart = n;
        var hashStart = saltStart + SaltChars;
        // Go compares only the 31 characters after the salt (its fixed 60-byte buffer drops any
        // extra), and fails when fewer are present.
        if (hash.Length - hashStart < HashChars)
        {
            return false;
        }
        Span<char> padded = stackalloc char[SaltChars + 2];
        hash.AsSpan(saltStart, SaltChars).CopyTo(padded);
        padded[SaltChars] = '=';
        padded[SaltChars + 1] = '=';
        Span<byte> saltBuffer = stackalloc byte[GoBase64.MaxDecodedLength(padded.Length)];
        if (!GoBase64.TryDecode(GoBase64.Bcrypt, padded, saltBuffer, out var saltLength) || saltLength != SaltBytes)
        {
            return false;
        }
        Span<char> computed = stackalloc char[HashChars];
        ComputeHashChars(password, saltBuffer.Slice(0, SaltBytes), cost, computed);
        return CryptographicOperations.FixedTimeEquals(
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(computed),
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(hash.AsSpan(hashStart, HashChars)));
    }

    /// <summary>Runs bcrypt and writes the 31-character encoded result into <paramref name="destination"/>.</summary>
    private static void ComputeHashChars(string password, ReadOnlySpan<byte> salt, int cost, Span<char> destination)
    {
        // "$2a$CC$" and the salt re-encoded: BCrypt.Net-Next then keys Blowfish with the
        // password's UTF-8 bytes and a NUL, of which key expansion consumes the first 72 bytes,
        // exactly what Go's and OpenBSD's bcrypt consume.
        Span<char> setting = stackalloc char[7 + SaltChars];
        "$2a$".CopyTo(setting);
        setting[4] = (char)('0' + cost / 10);
        setting[5] = (char)('0' + cost % 10);
        setting[6] = '$';
        GoBase64.EncodeUnpadded(GoBase64.Bcrypt, salt, setting.Slice(7), out _);
        var full = BCrypt.Net.BCrypt.HashPassword(password, new string(setting));
        full.AsSpan(full.Length - HashChars).CopyTo(destination);
    }
}
