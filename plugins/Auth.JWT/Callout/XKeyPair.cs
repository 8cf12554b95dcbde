using System.Security.Cryptography;
using Nats.Core.Security;
using Sodium;

namespace Nats.AuthJwt.Callout;

/// <summary>
/// An nkeys curve ("xkey") pair and its sealing, byte-compatible with nkeys' <c>xkeys.go</c>:
/// <c>"xkv1" ‖ 24-byte nonce ‖ NaCl box</c> (X25519 + XSalsa20-Poly1305), the auth callout's
/// encryption. The box is libsodium's <c>crypto_box_easy</c> through Sodium.Core: NSec has X25519
/// but no XSalsa20-Poly1305 box, and libsodium is the reference implementation NaCl.Net ports.
/// </summary>
public sealed class XKeyPair : IDisposable
{
    /// <summary>nkeys' <c>XKeyVersionV1</c>.</summary>
    public const string Version = "xkv1";

    private const int KeyLength = 32;
    private const int NonceLength = 24;
    private static readonly byte[] VersionBytes = "xkv1"u8.ToArray();

    private readonly byte[] _seed;

    private XKeyPair(byte[] seed)
    {
        _seed = seed;
        PublicKey = NKeys.Encode(NKeyPrefix.Curve, ScalarMult.Base(seed));
    }

    /// <summary>The public key ("X…").</summary>
    public string PublicKey { get; }

    /// <summary>The seed ("SX…").</summary>
    public string Seed => NKeys.EncodeSeed(NKeyPrefix.Curve, _seed);

    /// <summary>A fresh pair (nkeys <c>CreateCurveKeys</c>).</summary>
    public static XKeyPair Create()
    {
        var seed = new byte[KeyLength];
        RandomNumberGenerator.Fill(seed);
        return new XKeyPair(seed);
    }

    /// <summary>nkeys <c>FromCurveSeed</c>.</summary>
    /// <exception cref="NKeyException">Not a curve seed ("nkeys: not a valid curve seed").</exception>
    public static XKeyPair FromSeed(string seed)
    {
        var (role, raw) = NKeys.DecodeSeed(seed);
        if (role != NKeyPrefix.Curve || raw.Length != KeyLength)
        {
            throw new NKeyException("nkeys: not a valid curve seed");
        }
        return new XKeyPair(raw);
    }

    /// <summary>Builds a pair from a raw 32-byte X25519 private key.</summary>
    public static XKeyPair FromRawSeed(ReadOnlySpan<byte> raw) =>
        raw.Length == KeyLength ? new XKeyPair(raw.ToArray()) : throw new NKeyException("nkeys: not a valid curve seed");

    /// <summary>nkeys <c>Seal</c>: encrypts <paramref name="message"/> for <paramref name="recipient"/> (an "X…" key) with a random nonce.</summary>
    public byte[] Seal(ReadOnlySpan<byte> message, string recipient)
    {
        var nonce = new byte[NonceLength];
        RandomNumberGenerator.Fill(nonce);
        return Seal(message, recipient, nonce);
    }

    /// <summary>Seal with a given nonce (tests pin known-answer vectors with it).</summary>
    public byte[] Seal(ReadOnlySpan<byte> message, string recipient, byte[] nonce)
    {
        var recipientKey = DecodeCurveKey(recipient) ?? throw new NKeyException("nkeys: not a valid recipient public curve key");
        var box = PublicKeyBox.Create(message.ToArray(), nonce, _seed, recipientKey);
        var output = new byte[VersionBytes.Length + NonceLength + box.Length];
        VersionBytes.CopyTo(output, 0);
        nonce.CopyTo(output, VersionBytes.Length);
        box.CopyTo(output, VersionBytes.Length + NonceLength);
        return output;
    }

    /// <summary>nkeys <c>Open</c>: decrypts what <paramref name="sender"/> sealed for this key; nkeys' errors otherwise.</summary>
    public byte[] Open(ReadOnlySpan<byte> sealedMessage, string sender)
    {
        if (sealedMessage.Length <= VersionBytes.Length + NonceLength)
        {
            throw new NKeyException("nkeys: encrypted input is not valid");
        }
        if (!sealedMessage[..VersionBytes.Length].SequenceEqual(VersionBytes))
        {
            throw new NKeyException("nkeys: encrypted input wrong version");
        }
        var senderKey = DecodeCurveKey(sender) ?? throw new NKeyException("nkeys: not a valid sender public curve key");
        var nonce = sealedMessage.Slice(VersionBytes.Length, NonceLength).ToArray();
        try
        {
            return PublicKeyBox.Open(sealedMessage[(VersionBytes.Length + NonceLength)..].ToArray(), nonce, _seed, senderKey);
        }
        catch (CryptographicException)
        {
            throw new NKeyException("nkeys: could not decrypt input");
        }
    }

    /// <summary>Zeroes the seed.</summary>
    public void Dispose() => CryptographicOperations.ZeroMemory(_seed);

    private static byte[]? DecodeCurveKey(string key) =>
        NKeys.IsValidPublicCurveKey(key) && NKeys.TryDecodePublicKey(key, out var raw) && raw.Length == KeyLength ? raw : null;
}
