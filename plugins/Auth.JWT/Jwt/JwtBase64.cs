using System.Buffers.Text;

namespace Nats.AuthJwt.Jwt;

/// <summary>Go's <c>base64.RawURLEncoding</c>, which every part of a JWT uses: URL alphabet, no padding, '\r' and '\n' skipped.</summary>
internal static class JwtBase64
{
    public static string Encode(ReadOnlySpan<byte> data) => Base64Url.EncodeToString(data);

    /// <summary>Decodes like Go; on failure <paramref name="error"/> is Go's "illegal base64 data at input byte N".</summary>
    public static bool TryDecode(string text, out byte[] bytes, out string? error)
    {
        bytes = [];
        error = null;
        var clean = text.Contains('\r') || text.Contains('\n') ? text.Replace("\r", "").Replace("\n", "") : text;
        for (var i = 0; i < clean.Length; i++)
        {
            var c = clean[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                error = $"illegal base64 data at input byte {i}";
                return false;
            }
        }
        if (clean.Length % 4 == 1)
        {
            error = $"illegal base64 data at input byte {clean.Length - 1}";
            return false;
        }
        bytes = Base64Url.DecodeFromChars(clean);
        return true;
    }
}
