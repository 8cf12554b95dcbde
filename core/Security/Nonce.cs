using System.Buffers.Text;

namespace Nats.Core.Security;

/// <summary>
/// The INFO <c>nonce</c> challenge, generated as nats-server does (server/nkey.go
/// <c>generateNonce</c>): 11 random bytes, base64 raw-URL encoded into 15 ASCII characters.
/// A client proves it holds an nkey by signing these 15 bytes (the text, not the random bytes).
/// </summary>
public static class Nonce
{
    /// <summary>Random bytes behind a nonce (nats-server's nonceRawLen).</summary>
    public const int RawLength = 11;

    /// <summary>Length of the encoded nonce (nats-server's nonceLen).</summary>
    public const int EncodedLength = 15;

    /// <summary>Writes a fresh nonce as ASCII into the first <see cref="EncodedLength"/> bytes of <paramref name="destination"/>.</summary>
    public static void Generate(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, EncodedLength, nameof(destination));
        Span<byte> raw = stackalloc byte[RawLength];
        SecureRandom.Fill(raw);
        Base64Url.EncodeToUtf8(raw, destination);
    }

    /// <summary>A fresh nonce as a string (for the INFO JSON).</summary>
    public static string Generate()
    {
        Span<byte> ascii = stackalloc byte[EncodedLength];
        Generate(ascii);
        return System.Text.Encoding.ASCII.GetString(ascii);
    }
}
