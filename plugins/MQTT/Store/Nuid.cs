using System.Security.Cryptography;
using Nats.Core.Security;

namespace Nats.Mqtt.Store;

/// <summary>
/// Unique tokens for durable names and deliver subjects (22 base62 characters, as a NATS NUID):
/// random, so names from before a restart never collide with new ones.
/// </summary>
internal static class Nuid
{
    private const string Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>A random 22-character token (<see cref="SecureRandom.NewId"/>).</summary>
    public static string Next() => SecureRandom.NewId();

    /// <summary>nats-server's <c>getHash</c>: 8 base62 characters from SHA-256 (session subjects, durable prefixes).</summary>
    public static string Hash8(string name)
    {
        var sha = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name));
        Span<char> text = stackalloc char[8];
        for (var i = 0; i < text.Length; i++)
        {
            text[i] = Digits[sha[i] % Digits.Length];
        }
        return new string(text);
    }
}
