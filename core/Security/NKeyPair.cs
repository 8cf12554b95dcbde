using System.Security.Cryptography;

namespace Nats.Core.Security;

/// <summary>
/// An Ed25519 nkey pair: a seed and the public key it derives, able to sign and verify, as
/// nkeys' KeyPair. The server uses <see cref="Create"/> with <see cref="NKeyPrefix.Server"/> for
/// its <c>server_id</c>, like nats-server.
/// </summary>
/// <remarks>
/// Disposing wipes the seed bytes held by the instance (strings handed out by
/// <see cref="Seed"/> are immutable and cannot be wiped, so ask for them only when needed).
/// X25519 curve pairs ('X') are not supported: the server never needs them.
/// </remarks>
public sealed class NKeyPair : IDisposable
{
    private readonly byte[] _seed;
    private readonly byte[] _publicKey;
    private bool _disposed;

    private NKeyPair(NKeyPrefix role, byte[] seed)
    {
        Role = role;
        _seed = seed;
        _publicKey = Ed25519Signatures.DerivePublicKey(seed);
        PublicKey = NKeys.Encode(role, _publicKey);
    }

    /// <summary>The role of the pair (user, account, server, …), i.e. the prefix of <see cref="PublicKey"/>.</summary>
    public NKeyPrefix Role { get; }

    /// <summary>The encoded public key ("U…", "N…", …).</summary>
    public string PublicKey { get; }

    /// <summary>The encoded seed ("SU…", "SN…", …).</summary>
    public string Seed
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return NKeys.EncodeSeed(Role, _seed);
        }
    }

    /// <summary>
    /// The encoded 64-byte Ed25519 private key ('P…': seed followed by public key), as nkeys'
    /// PrivateKey().
    /// </summary>
    public string PrivateKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Span<byte> priv = stackalloc byte[64];
            _seed.CopyTo(priv);
            _publicKey.CopyTo(priv.Slice(32));
            var text = NKeys.Encode(NKeyPrefix.Private, priv);
            priv.Clear();
            return text;
        }
    }

    /// <summary>Creates a fresh pair of <paramref name="role"/> from 32 random bytes (<see cref="SecureRandom"/>).</summary>
    /// <exception cref="NKeyException">The role is not a public role, or is the unsupported curve role.</exception>
    public static NKeyPair Create(NKeyPrefix role)
    {
        var seed = new byte[Ed25519Signatures.SeedSize];
        SecureRandom.Fill(seed);
        return FromRaw(role, seed);
    }

    /// <summary>Restores a pair from an encoded seed ("SU…").</summary>
    /// <exception cref="NKeyException">Malformed seed, or a curve seed.</exception>
    public static NKeyPair FromSeed(string seed)
    {
        var (role, raw) = NKeys.DecodeSeed(seed);
        if (raw.Length < Ed25519Signatures.SeedSize)
        {
            Array.Clear(raw);
            throw new NKeyException(NKeyException.InvalidSeedLen);
        }
        // nkeys feeds the decoded bytes to ed25519.GenerateKey as a reader, which consumes
        // exactly 32 bytes: a longer payload works there, so it works here too.
        var seedBytes = raw.AsSpan(0, Ed25519Signatures.SeedSize).ToArray();
        Array.Clear(raw);
        return FromRaw(role, seedBytes);
    }

    /// <summary>Builds a pair of <paramref name="role"/> from a raw 32-byte seed.</summary>
    /// <exception cref="NKeyException">Bad role or seed length.</exception>
    public static NKeyPair FromRawSeed(NKeyPrefix role, ReadOnlySpan<byte> rawSeed)
    {
        if (rawSeed.Length != Ed25519Signatures.SeedSize)
        {
            throw new NKeyException(NKeyException.InvalidSeedLen);
        }
        return FromRaw(role, rawSeed.ToArray());
    }

    /// <summary>Signs <paramref name="data"/>; returns the 64-byte Ed25519 signature.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Ed25519Signatures.Sign(_seed, data);
    }

    /// <summary>True when <paramref name="signature"/> is this pair's signature of <paramref name="data"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        Ed25519Signatures.Verify(_publicKey, data, signature);

    /// <summary>Wipes the seed; signing and reading the seed fail afterwards, verifying still works.</summary>
    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_seed);
    }

    private static NKeyPair FromRaw(NKeyPrefix role, byte[] seed)
    {
        if (role == NKeyPrefix.Curve)
        {
            Array.Clear(seed);
            throw new NKeyException(NKeyException.CurveNotSupported);
        }
        if (!NKeyPrefixRules.IsPublic((byte)role))
        {
            Array.Clear(seed);
            throw new NKeyException(NKeyException.InvalidPrefixByte);
        }
        return new NKeyPair(role, seed);
    }
}
