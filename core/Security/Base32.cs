namespace Nats.Core.Security;

/// <summary>
/// RFC 4648 base32 (upper-case alphabet, no padding) with the decoding rules of Go's
/// <c>base32.StdEncoding.WithPadding(base32.NoPadding)</c>, which is what nkeys uses.
/// </summary>
/// <remarks>
/// Go's decoder is lenient in ways that decide whether a key is accepted, so they are kept:
/// '\r' and '\n' are skipped anywhere, and a final group of 1, 3 or 6 characters yields no byte
/// at all (those lengths cannot carry a whole byte; Go silently drops them instead of failing).
/// Trailing bits of the last character are not checked.
/// </remarks>
internal static class Base32
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static readonly byte[] DecodeMap = BuildDecodeMap();

    /// <summary>Number of characters <see cref="Encode"/> produces for <paramref name="length"/> bytes.</summary>
    public static int EncodedLength(int length) => (length * 8 + 4) / 5;

    /// <summary>Upper bound of bytes decoded from <paramref name="length"/> characters (Go's DecodedLen).</summary>
    public static int MaxDecodedLength(int length) => length * 5 / 8;

    /// <summary>Encodes <paramref name="data"/> into <paramref name="destination"/>, which must hold <see cref="EncodedLength"/> chars.</summary>
    public static void Encode(ReadOnlySpan<byte> data, Span<char> destination)
    {
        var buffer = 0;
        var bits = 0;
        var o = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                destination[o++] = Alphabet[(buffer >> bits) & 31];
            }
        }
        if (bits > 0)
        {
            destination[o] = Alphabet[(buffer << (5 - bits)) & 31];
        }
    }

    /// <summary>
    /// Decodes <paramref name="source"/> into <paramref name="destination"/> (at least
    /// <see cref="MaxDecodedLength"/> bytes). False when a character is outside the alphabet.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> source, Span<byte> destination, out int written)
    {
        written = 0;
        Span<byte> q = stackalloc byte[8];
        var si = 0;
        var end = false;
        while (si < source.Length && !end)
        {
            q.Clear();
            var count = 0;
            while (count < 8)
            {
                if (si == source.Length)
                {
                    end = true;
                    break;
                }
                var c = source[si++];
                if (c is '\r' or '\n')
                {
                    continue;
                }
                var v = c < 128 ? DecodeMap[c] : (byte)0xFF;
                if (v == 0xFF)
                {
                    return false;
                }
                q[count++] = v;
            }

            // Go's switch: only group sizes 8, 7, 5, 4 and 2 produce bytes (5, 4, 3, 2, 1).
            var bytes = count switch { 8 => 5, 7 => 4, 5 => 3, 4 => 2, 2 => 1, _ => 0 };
            var d = destination.Slice(written);
            if (bytes >= 5) d[4] = (byte)((q[6] << 5) | q[7]);
            if (bytes >= 4) d[3] = (byte)((q[4] << 7) | (q[5] << 2) | (q[6] >> 3));
            if (bytes >= 3) d[2] = (byte)((q[3] << 4) | (q[4] >> 1));
            if (bytes >= 2) d[1] = (byte)((q[1] << 6) | (q[2] << 1) | (q[3] >> 4));
            if (bytes >= 1) d[0] = (byte)((q[0] << 3) | (q[1] >> 2));
            written += bytes;
        }
        return true;
    }

    private static byte[] BuildDecodeMap()
    {
        var map = new byte[128];
        Array.Fill(map, (byte)0xFF);
        for (var i = 0; i < Alphabet.Length; i++)
        {
            map[Alphabet[i]] = (byte)i;
        }
        return map;
    }
}
