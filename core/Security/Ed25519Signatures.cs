using System.Buffers;
using BcEd25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace Nats.Core.Security;

/// <summary>
/// The only place that touches BouncyCastle's Ed25519 (RFC 8032, pure variant — the one Go's
/// crypto/ed25519 implements). BouncyCastle takes arrays with offsets, so span inputs are copied
/// into pooled arrays.
/// </summary>
internal static class Ed25519Signatures
{
    public const int SeedSize = 32;
    public const int PublicKeySize = 32;
    public const int SignatureSize = 64;

    /// <summary>The public key of a 32-byte seed (Go: ed25519.NewKeyFromSeed(seed).Public()).</summary>
    public static byte[] DerivePublicKey(ReadOnlySpan<byte> seed)
    {
        var sk = seed.Slice(0, SeedSize).ToArray();
        try
        {
            var pk = new byte[PublicKeySize];
            BcEd25519.GeneratePublicKey(sk, 0, pk, 0);
            return pk;
        }
        finally
        {
            Array.Clear(sk);
        }
    }

    /// <summary>Signs <paramref name="message"/>; Ed25519 is deterministic, so the same input gives the same signature as Go.</summary>
    public static byte[] Sign(byte[] seed, byte[] publicKey, ReadOnlySpan<byte> message)
    {
        var m = ArrayPool<byte>.Shared.Rent(message.Length);
        try
        {
            message.CopyTo(m);
            var sig = new byte[SignatureSize];
            BcEd25519.Sign(seed, 0, publicKey, 0, m, 0, message.Length, sig, 0);
            return sig;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(m);
        }
    }

    /// <summary>
    /// True when <paramref name="signature"/> is a valid signature of <paramref name="message"/> by
    /// <paramref name="publicKey"/>. Wrong sizes answer false (Go would panic on a short key).
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize)
        {
            return false;
        }
        var pk = publicKey.ToArray();
        var sig = signature.ToArray();
        var m = ArrayPool<byte>.Shared.Rent(message.Length);
        try
        {
            message.CopyTo(m);
            return BcEd25519.Verify(sig, 0, pk, 0, m, 0, message.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(m);
        }
    }
}
