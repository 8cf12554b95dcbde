namespace Nats.Core.Security;

/// <summary>
/// Base64 decoding with the exact acceptance rules of Go's <c>encoding/base64</c> (non-strict
/// mode), for the three alphabets the server meets: the standard one (padded), the URL-safe one
/// without padding (what clients send as the CONNECT <c>sig</c>), and bcrypt's.
/// </summary>
/// <remarks>
/// Kept separate from <see cref="Convert.FromBase64String(string)"/> because the two disagree on
/// inputs a client can send: Go skips only '\r' and '\n' (not spaces or tabs), refuses '=' in the
/// unpadded encodings, refuses trailing data after padding, and ignores the unused low bits of the
/// last character. Matching Go decides which signatures nats-server would accept.
/// </remarks>
internal static class GoBase64
{
    /// <summary>An alphabet and whether its encoding is padded with '='.</summary>
    internal sealed class Encoding
    {
        private readonly byte[] _map;

        public Encoding(string alphabet, bool padded)
        {
            Alphabet = alphabet;
            Padded = padded;
            _map = new byte[128];
            Array.Fill(_map, (byte)0xFF);
            for (var i = 0; i < alphabet.Length; i++)
            {
                _map[alphabet[i]] = (byte)i;
            }
        }

        public string Alphabet { get; }

        public bool Padded { get; }

        public byte Map(char c) => c < 128 ? _map[c] : (byte)0xFF;
    }

    /// <summary>Go's base64.StdEncoding.</summary>
    public static readonly Encoding Std =
        new("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", padded: true);

    /// <summary>Go's base64.RawURLEncoding.</summary>
    public static readonly Encoding RawUrl =
        new("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", padded: false);

    /// <summary>The padded encoding x/crypto/bcrypt builds on (it strips and re-adds the padding itself).</summary>
    public static readonly Encoding Bcrypt =
        new("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", padded: true);

    /// <summary>Upper bound of decoded bytes for <paramref name="length"/> characters.</summary>
    public static int MaxDecodedLength(int length) => (length + 3) / 4 * 3;

    /// <summary>
    /// Decodes like Go's <c>Encoding.DecodeString</c>; false wherever Go returns an error.
    /// <paramref name="destination"/> must hold <see cref="MaxDecodedLength"/> bytes.
    /// </summary>
    public static bool TryDecode(Encoding enc, ReadOnlySpan<char> src, Span<byte> destination, out int written)
    {
        written = 0;
        Span<byte> q = stackalloc byte[4];
        var si = 0;
        while (si < src.Length)
        {
            // One quantum, as Go's decodeQuantum.
            q.Clear();
            var dlen = 4;
            var last = false;
            for (var j = 0; j < 4; j++)
            {
                if (si == src.Length)
                {
                    if (j == 0)
                    {
                        return true; // only newlines were left
                    }
                    if (j == 1 || enc.Padded)
                    {
                        return false; // a lone character, or missing padding
                    }
                    dlen = j;
                    last = true;
                    break;
                }
                var c = src[si++];
                var v = enc.Map(c);
                if (v != 0xFF)
                {
                    q[j] = v;
                    continue;
                }
                if (c is '\n' or '\r')
                {
                    j--;
                    continue;
                }
                if (!enc.Padded || c != '=')
                {
                    return false;
                }
                // Padding: only after two or three characters, "==" or "=" respectively.
                if (j < 2)
                {
                    return false;
                }
                if (j == 2)
                {
                    si = SkipNewlines(src, si);
                    if (si == src.Length || src[si] != '=')
                    {
                        return false;
                    }
                    si++;
                }
                si = SkipNewlines(src, si);
                if (si < src.Length)
                {
                    return false; // data after the padding
                }
                dlen = j;
                last = true;
                break;
            }

            var val = (q[0] << 18) | (q[1] << 12) | (q[2] << 6) | q[3];
            var d = destination.Slice(written);
            if (dlen >= 2) d[0] = (byte)(val >> 16);
            if (dlen >= 3) d[1] = (byte)(val >> 8);
            if (dlen >= 4) d[2] = (byte)val;
            written += dlen - 1;
            if (last)
            {
                return true;
            }
        }
        return true;
    }

    /// <summary>Encodes without padding (what Go's Raw encodings and bcrypt's trimmed form produce).</summary>
    public static void EncodeUnpadded(Encoding enc, ReadOnlySpan<byte> data, Span<char> destination, out int written)
    {
        var a = enc.Alphabet;
        var o = 0;
        var i = 0;
        for (; i + 3 <= data.Length; i += 3)
        {
            var val = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
            destination[o++] = a[(val >> 18) & 63];
            destination[o++] = a[(val >> 12) & 63];
            destination[o++] = a[(val >> 6) & 63];
            destination[o++] = a[val & 63];
        }
        var rest = data.Length - i;
        if (rest > 0)
        {
            var val = data[i] << 16;
            if (rest == 2)
            {
                val |= data[i + 1] << 8;
            }
            destination[o++] = a[(val >> 18) & 63];
            destination[o++] = a[(val >> 12) & 63];
            if (rest == 2)
            {
                destination[o++] = a[(val >> 6) & 63];
            }
        }
        written = o;
    }

    private static int SkipNewlines(ReadOnlySpan<char> src, int si)
    {
        while (si < src.Length && src[si] is '\n' or '\r')
        {
            si++;
        }
        return si;
    }
}
