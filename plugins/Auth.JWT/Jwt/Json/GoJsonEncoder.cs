using System.Text.Encodings.Web;

namespace Nats.AuthJwt.Jwt.Json;

/// <summary>
/// Escapes strings exactly as Go's <c>encoding/json</c> does, so that a claim encoded here has the
/// bytes nats-io/jwt would produce (and so the same <c>jti</c>): <c>&lt;</c>, <c>&gt;</c>,
/// <c>&amp;</c>, U+2028 and U+2029 as lower-case <c>\u00XX</c>, the usual short escapes for
/// quote, backslash and <c>\b \f \n \r \t</c>, other control characters as <c>\u00XX</c>, and every
/// other character (non-ASCII included) written as is.
/// </summary>
internal sealed class GoJsonEncoder : JavaScriptEncoder
{
    public static readonly GoJsonEncoder Instance = new();

    private const string Hex = "0123456789abcdef";

    private GoJsonEncoder()
    {
    }

    public override int MaxOutputCharactersPerInputCharacter => 6;

    public override bool WillEncode(int unicodeScalar) =>
        unicodeScalar < 0x20 || unicodeScalar is '"' or '\\' or '<' or '>' or '&' or 0x2028 or 0x2029;

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        for (var i = 0; i < textLength; i++)
        {
            if (WillEncode(text[i]))
            {
                return i;
            }
        }
        return -1;
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var shortEscape = unicodeScalar switch
        {
            '"' => '"',
            '\\' => '\\',
            '\b' => 'b',
            '\f' => 'f',
            '\n' => 'n',
            '\r' => 'r',
            '\t' => 't',
            _ => '\0',
        };
        if (shortEscape != '\0')
        {
            if (bufferLength < 2)
            {
                numberOfCharactersWritten = 0;
                return false;
            }
            buffer[0] = '\\';
            buffer[1] = shortEscape;
            numberOfCharactersWritten = 2;
            return true;
        }
        if (WillEncode(unicodeScalar))
        {
            if (bufferLength < 6)
            {
                numberOfCharactersWritten = 0;
                return false;
            }
            buffer[0] = '\\';
            buffer[1] = 'u';
            buffer[2] = Hex[(unicodeScalar >> 12) & 0xF];
            buffer[3] = Hex[(unicodeScalar >> 8) & 0xF];
            buffer[4] = Hex[(unicodeScalar >> 4) & 0xF];
            buffer[5] = Hex[unicodeScalar & 0xF];
            numberOfCharactersWritten = 6;
            return true;
        }
        // Not escaped: written as the character itself (a surrogate pair for non-BMP scalars).
        var written = char.ConvertFromUtf32(unicodeScalar);
        if (bufferLength < written.Length)
        {
            numberOfCharactersWritten = 0;
            return false;
        }
        for (var i = 0; i < written.Length; i++)
        {
            buffer[i] = written[i];
        }
        numberOfCharactersWritten = written.Length;
        return true;
    }
}
