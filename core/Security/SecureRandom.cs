using System.Runtime.InteropServices;

namespace Nats.Core.Security;

/// <summary>
/// The kernel's cryptographically secure random bytes (nkey seeds, the server id, INFO nonces,
/// bcrypt salts, the subject hash seed): libsodium's <c>randombytes_buf</c> (the kernel's
/// <c>getrandom</c> on Linux), from the libsodium the kernel loads at start anyway for the
/// server's Ed25519 identity (NSec).
/// </summary>
/// <remarks>
/// Not <c>RandomNumberGenerator</c>: on Linux it is OpenSSL's, and loading OpenSSL (libssl,
/// libcrypto and the runtime's shim, about 5 MB resident) for a few random bytes at start-up
/// cost every server without TLS that memory (issue 16). TLS still loads it when configured.
/// </remarks>
public static partial class SecureRandom
{
    // sodium_init is idempotent and thread-safe; randombytes_buf may be called once it returned
    // 0 (first call) or 1 (already initialised, e.g. by NSec).
    private static readonly bool Initialised = sodium_init() >= 0;

    /// <summary>Fills <paramref name="destination"/> with random bytes.</summary>
    public static unsafe void Fill(Span<byte> destination)
    {
        if (!Initialised)
        {
            throw new InvalidOperationException("libsodium could not be initialised");
        }
        fixed (byte* bytes = destination)
        {
            randombytes_buf(bytes, (nuint)destination.Length);
        }
    }

    /// <summary>A new array of <paramref name="count"/> random bytes.</summary>
    public static byte[] GetBytes(int count)
    {
        var bytes = new byte[count];
        Fill(bytes);
        return bytes;
    }

    /// <summary>
    /// A random token of <paramref name="length"/> base62 characters: the shape of nats-server's
    /// NUIDs (22 characters by default), for names, ids and reply prefixes that must not collide,
    /// also with those from before a restart.
    /// </summary>
    public static string NewId(int length = 22)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        const string digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        Span<byte> random = length <= 64 ? stackalloc byte[length] : new byte[length];
        Fill(random);
        Span<char> text = length <= 64 ? stackalloc char[length] : new char[length];
        for (var i = 0; i < text.Length; i++)
        {
            text[i] = digits[random[i] % digits.Length];
        }
        return new string(text);
    }

    [LibraryImport("libsodium")]
    private static partial int sodium_init();

    [LibraryImport("libsodium")]
    private static unsafe partial void randombytes_buf(byte* buffer, nuint size);
}
