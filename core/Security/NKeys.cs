using System.Buffers.Binary;

namespace Nats.Core.Security;

/// <summary>
/// Encoding, decoding and validation of nkeys, byte-compatible with github.com/nats-io/nkeys:
/// <c>base32(prefix | payload | crc16-le(prefix | payload))</c>, and for seeds a two-byte prefix
/// that packs 'S' and the role of the derived key pair.
/// </summary>
/// <remarks>
/// Validation deliberately reproduces nkeys' own rules, quirks included, so that exactly the
/// keys nats-server accepts are accepted: <see cref="Decode"/> and the role checks
/// (<see cref="IsValidPublicUserKey"/>…) compare only the five high bits of the prefix byte and
/// do not check the payload length, while <see cref="IsValidPublicKey"/> compares the whole byte.
/// </remarks>
public static class NKeys
{
    /// <summary>Encodes <paramref name="payload"/> (a 32-byte public key, usually) with its role prefix and checksum.</summary>
    /// <exception cref="NKeyException">The prefix is not one nkeys defines.</exception>
    public static string Encode(NKeyPrefix prefix, ReadOnlySpan<byte> payload)
    {
        if (!NKeyPrefixRules.IsValid((byte)prefix))
        {
            throw new NKeyException(NKeyException.InvalidPrefixByte);
        }
        var length = 1 + payload.Length + 2;
        var raw = length <= 256 ? stackalloc byte[length] : new byte[length];
        raw[0] = (byte)prefix;
        payload.CopyTo(raw.Slice(1));
        return EncodeWithChecksum(raw);
    }

    /// <summary>Encodes a raw 32-byte Ed25519 seed as an 'S' seed for a key pair of role <paramref name="role"/>.</summary>
    /// <exception cref="NKeyException">The role is not a public role, or the seed is not 32 bytes.</exception>
    public static string EncodeSeed(NKeyPrefix role, ReadOnlySpan<byte> rawSeed)
    {
        if (!NKeyPrefixRules.IsPublic((byte)role))
        {
            throw new NKeyException(NKeyException.InvalidPrefixByte);
        }
        if (rawSeed.Length != Ed25519Signatures.SeedSize)
        {
            throw new NKeyException(NKeyException.InvalidSeedLen);
        }
        // Base32 takes 5 bits at a time: spreading 'S' and the role over the first 10 bits
        // makes both print as the first two letters ("SU", "SA", …).
        Span<byte> raw = stackalloc byte[2 + rawSeed.Length + 2];
        raw[0] = (byte)((byte)NKeyPrefix.Seed | ((byte)role >> 5));
        raw[1] = (byte)(((byte)role & 31) << 3);
        rawSeed.CopyTo(raw.Slice(2));
        var text = EncodeWithChecksum(raw);
        raw.Clear();
        return text;
    }

    /// <summary>
    /// Decodes a key whose prefix must be <paramref name="expectedPrefix"/> and returns its payload.
    /// </summary>
    /// <exception cref="NKeyException">Bad base32, checksum or prefix.</exception>
    public static byte[] Decode(NKeyPrefix expectedPrefix, string encoded)
    {
        if (!NKeyPrefixRules.IsValid((byte)expectedPrefix))
        {
            throw new NKeyException(NKeyException.InvalidPrefixByte);
        }
        var raw = DecodeRaw(encoded, out var error) ?? throw new NKeyException(error!);
        if ((raw[0] & 0xF8) != (byte)expectedPrefix)
        {
            throw new NKeyException(NKeyException.InvalidPrefixByte);
        }
        return raw.AsSpan(1).ToArray();
    }

    /// <summary>Decodes a seed ("SU…", "SA…", …) into the role it is for and the raw seed bytes.</summary>
    /// <exception cref="NKeyException">Not a well-formed seed.</exception>
    public static (NKeyPrefix Role, byte[] RawSeed) DecodeSeed(string seed)
    {
        var raw = DecodeRaw(seed, out var error) ?? throw new NKeyException(error!);
        try
        {
            var b1 = (byte)(raw[0] & 0xF8);
            var b2 = (byte)(((raw[0] & 7) << 5) | ((raw[1] & 0xF8) >> 3));
            if (b1 != (byte)NKeyPrefix.Seed || !NKeyPrefixRules.IsPublic(b2))
            {
                throw new NKeyException(NKeyException.InvalidSeed);
            }
            return ((NKeyPrefix)b2, raw.AsSpan(2).ToArray());
        }
        finally
        {
            Array.Clear(raw);
        }
    }

    /// <summary>The prefix of any encoded key (seeds answer <see cref="NKeyPrefix.Seed"/>), or <see cref="NKeyPrefix.Unknown"/>.</summary>
    public static NKeyPrefix GetPrefix(string encoded)
    {
        var raw = DecodeRaw(encoded, out _);
        if (raw is null)
        {
            return NKeyPrefix.Unknown;
        }
        if (NKeyPrefixRules.IsValid(raw[0]))
        {
            return (NKeyPrefix)raw[0];
        }
        return (raw[0] & 0xF8) == (byte)NKeyPrefix.Seed ? NKeyPrefix.Seed : NKeyPrefix.Unknown;
    }

    /// <summary>True when <paramref name="encoded"/> is valid base32 with a correct checksum.</summary>
    public static bool IsValidEncoding(string encoded) => DecodeRaw(encoded, out _) is not null;

    /// <summary>True for a well-formed public key of any role (operator, server, cluster, account, user, curve).</summary>
    public static bool IsValidPublicKey(string encoded)
    {
        var raw = DecodeRaw(encoded, out _);
        return raw is not null && NKeyPrefixRules.IsPublic(raw[0]);
    }

    /// <summary>True for a well-formed user public key ('U…').</summary>
    public static bool IsValidPublicUserKey(string encoded) => HasRole(encoded, NKeyPrefix.User);

    /// <summary>True for a well-formed account public key ('A…').</summary>
    public static bool IsValidPublicAccountKey(string encoded) => HasRole(encoded, NKeyPrefix.Account);

    /// <summary>True for a well-formed server public key ('N…').</summary>
    public static bool IsValidPublicServerKey(string encoded) => HasRole(encoded, NKeyPrefix.Server);

    /// <summary>True for a well-formed cluster public key ('C…').</summary>
    public static bool IsValidPublicClusterKey(string encoded) => HasRole(encoded, NKeyPrefix.Cluster);

    /// <summary>True for a well-formed operator public key ('O…').</summary>
    public static bool IsValidPublicOperatorKey(string encoded) => HasRole(encoded, NKeyPrefix.Operator);

    /// <summary>True for a well-formed curve public key ('X…').</summary>
    public static bool IsValidPublicCurveKey(string encoded) => HasRole(encoded, NKeyPrefix.Curve);

    /// <summary>
    /// Decodes a public key of any role into its raw bytes (nkeys' FromPublicKey).
    /// False for bad encoding, bad checksum or a prefix that is not a public role.
    /// </summary>
    public static bool TryDecodePublicKey(string publicKey, out byte[] rawKey)
    {
        var raw = DecodeRaw(publicKey, out _);
        if (raw is null || !NKeyPrefixRules.IsPublic(raw[0]))
        {
            rawKey = [];
            return false;
        }
        rawKey = raw.AsSpan(1).ToArray();
        return true;
    }

    /// <summary>
    /// True when <paramref name="signature"/> is a valid Ed25519 signature of <paramref name="data"/>
    /// by <paramref name="publicKey"/>; false for a wrong signature and for an unusable public key.
    /// </summary>
    public static bool Verify(string publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        TryDecodePublicKey(publicKey, out var raw) && Ed25519Signatures.Verify(raw, data, signature);

    private static bool HasRole(string encoded, NKeyPrefix role)
    {
        var raw = DecodeRaw(encoded, out _);
        return raw is not null && (raw[0] & 0xF8) == (byte)role;
    }

    /// <summary>Writes the checksum into the last two bytes of <paramref name="raw"/> and base32-encodes it all.</summary>
    private static string EncodeWithChecksum(Span<byte> raw)
    {
        var body = raw.Slice(0, raw.Length - 2);
        BinaryPrimitives.WriteUInt16LittleEndian(raw.Slice(raw.Length - 2), Crc16.Compute(body));
        return string.Create(Base32.EncodedLength(raw.Length), (ReadOnlySpan<byte>)raw,
            static (chars, bytes) => Base32.Encode(bytes, chars));
    }

    /// <summary>
    /// nkeys' decode: base32 → at least 4 bytes → checksum verified; returns prefix + payload
    /// (checksum stripped), or null with the nkeys error message.
    /// </summary>
    private static byte[]? DecodeRaw(string? encoded, out string? error)
    {
        if (encoded is null)
        {
            error = NKeyException.InvalidEncoding;
            return null;
        }
        var max = Base32.MaxDecodedLength(encoded.Length);
        var buffer = max <= 256 ? stackalloc byte[max] : new byte[max];
        if (!Base32.TryDecode(encoded, buffer, out var n))
        {
            error = NKeyException.InvalidEncoding;
            return null;
        }
        if (n < 4)
        {
            error = NKeyException.InvalidEncoding;
            return null;
        }
        var body = buffer.Slice(0, n - 2);
        var crc = BinaryPrimitives.ReadUInt16LittleEndian(buffer.Slice(n - 2, 2));
        if (Crc16.Compute(body) != crc)
        {
            error = NKeyException.InvalidChecksum;
            return null;
        }
        error = null;
        var result = body.ToArray();
        buffer.Clear(); // may hold seed material
        return result;
    }
}
