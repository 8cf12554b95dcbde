namespace Nats.AuthJwt.Jwt;

/// <summary>RFC 4648 base32 encoding as Go's <c>base32.StdEncoding</c> (padded) and its no-padding variant (jwt's <c>jti</c>).</summary>
internal static class JwtBase32
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string EncodeUnpadded(ReadOnlySpan<byte> data)
    {
        var chars = new char[(data.Length * 8 + 4) / 5];
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
                chars[o++] = Alphabet[(buffer >> bits) & 31];
            }
        }
        if (bits > 0)
        {
            chars[o] = Alphabet[(buffer << (5 - bits)) & 31];
        }
        return new string(chars);
    }

    public static string EncodePadded(ReadOnlySpan<byte> data)
    {
        var text = EncodeUnpadded(data);
        var padded = (text.Length + 7) / 8 * 8;
        return text.PadRight(padded, '=');
    }
}
