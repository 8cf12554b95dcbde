using NSec.Cryptography;

namespace Nats.Core.Security;

/// <summary>
/// The only place that touches the Ed25519 implementation: NSec.Cryptography over libsodium
/// (RFC 8032, pure variant — the one Go's crypto/ed25519 implements, so signatures are
/// byte-identical to Go's for the same seed and message).
/// </summary>
/// <remarks>
/// libsodium is slightly stricter than Go when verifying: it also rejects public keys of small
/// order and non-canonical encodings, which no honest nkey or JWT signer produces.
/// </remarks>
internal static class Ed25519Signatures
{
    public const int SeedSize = 32;
    public const int PublicKeySize = 32;
    public const int SignatureSize = 64;

    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    /// <summary>The public key of a 32-byte seed (Go: ed25519.NewKeyFromSeed(seed).Public()).</summary>
    public static byte[] DerivePublicKey(ReadOnlySpan<byte> seed)
    {
        using var key = ImportSeed(seed);
        return key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>Signs <paramref name="message"/>; Ed25519 is deterministic, so the same input gives the same signature as Go.</summary>
    public static byte[] Sign(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> message)
    {
        using var key = ImportSeed(seed);
        return Algorithm.Sign(key, message);
    }

    /// <summary>
    /// True when <paramref name="signature"/> is a valid signature of <paramref name="message"/> by
    /// <paramref name="publicKey"/>. Wrong sizes and unusable keys answer false (Go would panic on a short key).
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize)
        {
            return false;
        }
        return PublicKey.TryImport(Algorithm, publicKey, KeyBlobFormat.RawPublicKey, out var key)
            && key is not null
            && Algorithm.Verify(key, message, signature);
    }

    // NSec keeps the private key in libsodium's guarded memory and wipes it on dispose.
    private static Key ImportSeed(ReadOnlySpan<byte> seed) =>
        Key.Import(Algorithm, seed.Slice(0, SeedSize), KeyBlobFormat.RawPrivateKey);
}
