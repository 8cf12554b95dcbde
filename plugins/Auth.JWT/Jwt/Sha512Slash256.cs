using System.Buffers.Binary;
using System.Numerics;

namespace Nats.AuthJwt.Jwt;

/// <summary>
/// SHA-512/256 (FIPS 180-4 §5.3.6), which jwt uses for <c>jti</c> and .NET does not provide.
/// The SHA-512 round constants and initial values are derived at start-up from their
/// definitions (cube and square roots of the first primes) and the /256 initial values with
/// the FIPS "SHA-512/t IV generation function", so nothing here is a pasted table; the tests
/// pin the compression against .NET's SHA-512 and the result against NIST's vectors.
/// </summary>
internal static class Sha512Slash256
{
    private static readonly ulong[] K = FractionalRoots(80, 3);
    private static readonly ulong[] Sha512Iv = FractionalRoots(8, 2);
    private static readonly ulong[] Iv = DeriveIv("SHA-512/256"u8);

    /// <summary>The 32-byte SHA-512/256 digest of <paramref name="data"/>.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var state = (ulong[])Iv.Clone();
        var digest = new byte[64];
        Compute(state, data, digest);
        return digest[..32];
    }

    /// <summary>Plain SHA-512 with the standard initial values (to test the compression against .NET's).</summary>
    internal static byte[] Sha512(ReadOnlySpan<byte> data)
    {
        var digest = new byte[64];
        Compute((ulong[])Sha512Iv.Clone(), data, digest);
        return digest;
    }

    private static ulong[] DeriveIv(ReadOnlySpan<byte> name)
    {
        var state = new ulong[8];
        for (var i = 0; i < 8; i++)
        {
            state[i] = Sha512Iv[i] ^ 0xa5a5a5a5a5a5a5a5UL;
        }
        var digest = new byte[64];
        Compute(state, name, digest);
        var iv = new ulong[8];
        for (var i = 0; i < 8; i++)
        {
            iv[i] = BinaryPrimitives.ReadUInt64BigEndian(digest.AsSpan(i * 8));
        }
        return iv;
    }

    private static void Compute(ulong[] state, ReadOnlySpan<byte> data, Span<byte> digest)
    {
        var w = new ulong[80];
        var full = data.Length / 128;
        for (var b = 0; b < full; b++)
        {
            Block(state, data.Slice(b * 128, 128), w);
        }
        // Padding: 0x80, zeros, then the bit length as a 128-bit big-endian number.
        var rest = data.Length - full * 128;
        Span<byte> tail = stackalloc byte[256];
        tail.Clear();
        data.Slice(full * 128).CopyTo(tail);
        tail[rest] = 0x80;
        var tailLength = rest + 1 + 16 <= 128 ? 128 : 256;
        var bits = (UInt128)data.Length * 8;
        BinaryPrimitives.WriteUInt128BigEndian(tail.Slice(tailLength - 16, 16), bits);
        for (var offset = 0; offset < tailLength; offset += 128)
        {
            Block(state, tail.Slice(offset, 128), w);
        }
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(digest.Slice(i * 8), state[i]);
        }
    }

    private static void Block(ulong[] h, ReadOnlySpan<byte> block, ulong[] w)
    {
        for (var t = 0; t < 16; t++)
        {
            w[t] = BinaryPrimitives.ReadUInt64BigEndian(block.Slice(t * 8));
        }
        for (var t = 16; t < 80; t++)
        {
            var s0 = BitOperations.RotateRight(w[t - 15], 1) ^ BitOperations.RotateRight(w[t - 15], 8) ^ (w[t - 15] >> 7);
            var s1 = BitOperations.RotateRight(w[t - 2], 19) ^ BitOperations.RotateRight(w[t - 2], 61) ^ (w[t - 2] >> 6);
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
        ulong a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
        for (var t = 0; t < 80; t++)
        {
            var sum1 = BitOperations.RotateRight(e, 14) ^ BitOperations.RotateRight(e, 18) ^ BitOperations.RotateRight(e, 41);
            var ch = (e & f) ^ (~e & g);
            var t1 = hh + sum1 + ch + K[t] + w[t];
            var sum0 = BitOperations.RotateRight(a, 28) ^ BitOperations.RotateRight(a, 34) ^ BitOperations.RotateRight(a, 39);
            var maj = (a & b) ^ (a & c) ^ (b & c);
            var t2 = sum0 + maj;
            hh = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
        h[5] += f;
        h[6] += g;
        h[7] += hh;
    }

    /// <summary>The first 64 fractional bits of the <paramref name="root"/>-th roots of the first <paramref name="count"/> primes.</summary>
    private static ulong[] FractionalRoots(int count, int root)
    {
        var result = new ulong[count];
        var found = 0;
        for (var candidate = 2; found < count; candidate++)
        {
            if (!IsPrime(candidate))
            {
                continue;
            }
            // floor(root(p) * 2^64) = floor(root(p * 2^(64*root))); its low 64 bits are the fraction.
            var scaled = new BigInteger(candidate) << (64 * root);
            var r = IntegerRoot(scaled, root);
            result[found++] = (ulong)(r & ulong.MaxValue);
        }
        return result;
    }

    private static BigInteger IntegerRoot(BigInteger n, int k)
    {
        // Newton's method from above converges to floor(n^(1/k)).
        var x = BigInteger.One << (int)((n.GetBitLength() + k - 1) / k + 1);
        while (true)
        {
            var y = ((k - 1) * x + n / BigInteger.Pow(x, k - 1)) / k;
            if (y >= x)
            {
                return x;
            }
            x = y;
        }
    }

    private static bool IsPrime(int n)
    {
        for (var d = 2; d * d <= n; d++)
        {
            if (n % d == 0)
            {
                return false;
            }
        }
        return true;
    }
}
