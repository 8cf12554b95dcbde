using System.Buffers.Binary;
using Nats.Core.Security;

namespace Nats.Core.Subjects;

/// <summary>
/// A fast 64-bit hash of subject bytes (the wyhash construction: 128-bit multiply-folds).
/// The seed is random per process so that clients cannot precompute colliding subjects to
/// degrade the sublist's dictionaries and match cache.
/// </summary>
internal static class SubjectHash
{
    private const ulong P0 = 0xa0761d6478bd642f;
    private const ulong P1 = 0xe7037ed1a0b428db;

    private static readonly ulong s_seed = BinaryPrimitives.ReadUInt64LittleEndian(SecureRandom.GetBytes(8));

    /// <summary>Hashes <paramref name="data"/>.</summary>
    public static ulong Hash(ReadOnlySpan<byte> data)
    {
        var seed = s_seed ^ P0;
        var len = data.Length;
        ulong a, b;
        if (len <= 16)
        {
            if (len >= 4)
            {
                // Two overlapping 4-byte reads from each end cover every byte.
                var q = (len >> 3) << 2;
                a = ((ulong)Read32(data) << 32) | Read32(data[q..]);
                b = ((ulong)Read32(data[(len - 4)..]) << 32) | Read32(data[(len - 4 - q)..]);
            }
            else if (len > 0)
            {
                a = ((ulong)data[0] << 16) | ((ulong)data[len >> 1] << 8) | data[len - 1];
                b = 0;
            }
            else
            {
                a = b = 0;
            }
        }
        else
        {
            var i = 0;
            while (len - i > 16)
            {
                seed = Mix(Read64(data[i..]) ^ P1, Read64(data[(i + 8)..]) ^ seed);
                i += 16;
            }
            a = Read64(data[(len - 16)..]);
            b = Read64(data[(len - 8)..]);
        }
        var hi = Math.BigMul(a ^ P1, b ^ seed, out var lo);
        return Mix(lo ^ P0 ^ (ulong)len, hi ^ P1);
    }

    /// <summary>A 32-bit hash for dictionaries.</summary>
    public static int Hash32(ReadOnlySpan<byte> data)
    {
        var h = Hash(data);
        return (int)(h ^ (h >> 32));
    }

    private static ulong Mix(ulong a, ulong b)
    {
        var hi = Math.BigMul(a, b, out var lo);
        return hi ^ lo;
    }

    private static uint Read32(ReadOnlySpan<byte> s) => BinaryPrimitives.ReadUInt32LittleEndian(s);

    private static ulong Read64(ReadOnlySpan<byte> s) => BinaryPrimitives.ReadUInt64LittleEndian(s);
}
