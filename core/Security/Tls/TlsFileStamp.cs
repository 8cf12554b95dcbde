using System.Security.Cryptography;
using Nats.Core.Config;

namespace Nats.Core.Security.Tls;

/// <summary>
/// A fingerprint of the contents of a TLS set's files (certificate, key, CA bundle), so that a
/// reload or a file watch can tell whether the files changed without loading them again.
/// </summary>
internal static class TlsFileStamp
{
    /// <summary>The fingerprint of the files <paramref name="options"/> names, as they are now.</summary>
    public static string Compute(TlsOptions options) =>
        Of(Read(options.CertFile), Read(options.KeyFile), Read(options.CaFile));

    /// <summary>The fingerprint of contents already read (null for a file that is not configured or not readable).</summary>
    public static string Of(byte[]? cert, byte[]? key, byte[]? ca)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, cert);
        Append(hash, key);
        Append(hash, ca);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Append(IncrementalHash hash, byte[]? content)
    {
        // A length prefix keeps "ab"+"c" and "a"+"bc" apart; -1 marks a missing file.
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, content?.Length ?? -1);
        hash.AppendData(length);
        if (content is not null)
        {
            hash.AppendData(content);
        }
    }

    private static byte[]? Read(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
