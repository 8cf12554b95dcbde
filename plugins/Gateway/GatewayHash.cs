using System.Security.Cryptography;
using System.Text;

namespace Nats.Gateway;

/// <summary>
/// The hashes nats-server routes gateway replies by (<c>getHashSize</c>, <c>getOldHash</c>):
/// six base-62 characters of SHA-256 for cluster and server in <c>_GR_.</c> prefixes, and four
/// hex characters for the legacy <c>$GR.</c> prefix.
/// </summary>
public static class GatewayHash
{
    /// <summary>Length of the cluster and server hashes in <c>_GR_.</c> prefixes.</summary>
    public const int Length = 6;

    private const string Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>The first <paramref name="size"/> bytes of SHA-256(<paramref name="name"/>), each as a base-62 digit.</summary>
    public static string Of(string name, int size = Length)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        var chars = new char[size];
        for (var i = 0; i < size; i++)
        {
            chars[i] = Digits[digest[i] % Digits.Length];
        }
        return new string(chars);
    }

    /// <summary>The legacy hash: the first four hex digits of SHA-256(<paramref name="name"/>).</summary>
    public static string Old(string name) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..4];
}
