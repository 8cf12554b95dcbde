using System.Buffers;
using System.Text.Encodings.Web;

namespace Nats.Core.Monitoring;

/// <summary>
/// Escapes JSON strings exactly as Go's <c>encoding/json</c> does with its default HTML
/// escaping, which is how nats-server writes monitoring pages and <c>$SYS</c> messages:
/// <c>&lt; &gt; &amp;</c> as <c>\u003c \u003e \u0026</c> (lower-case hex), control characters
/// as <c>\n \r \t \b \f</c> or <c>\u00XX</c>, U+2028/U+2029 escaped, and everything else,
/// including <c>'</c>, <c>+</c> and non-ASCII text, written as is. (System.Text.Json's own
/// encoders differ: upper-case hex, and <c>'</c> and <c>+</c> escaped.)
/// </summary>
public sealed class GoJsonEncoder : JavaScriptEncoder
{
    private const string Hex = "0123456789abcdef";

    // Characters that may need escaping: control characters, the JSON and HTML specials,
    // U+2028/U+2029, and surrogates (escaped only when unpaired).
    private static readonly SearchValues<char> Utf16Candidates = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(c => (char)c), '"', '\\', '<', '>', '&', '\u2028', '\u2029',
         .. Enumerable.Range(0xD800, 0x800).Select(c => (char)c)]);

    // The same in UTF-8: 0xE2 is the lead byte of U+2028/U+2029 (E2 80 A8/A9).
    private static readonly SearchValues<byte> Utf8Candidates = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\', (byte)'<', (byte)'>', (byte)'&', (byte)0xE2]);

    private GoJsonEncoder()
    {
    }

    /// <summary>The one instance (the encoder has no state).</summary>
    public static GoJsonEncoder Instance { get; } = new();

    /// <inheritdoc />
    public override int MaxOutputCharactersPerInputCharacter => 6;

    /// <inheritdoc />
    public override bool WillEncode(int unicodeScalar) =>
        unicodeScalar < 0x20 || unicodeScalar is '"' or '\\' or '<' or '>' or '&' or 0x2028 or 0x2029
        // Lone surrogates are not text; Go writes invalid input as U+FFFD.
        || unicodeScalar is >= 0xD800 and <= 0xDFFF;

    /// <inheritdoc />
    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        var span = new ReadOnlySpan<char>(text, textLength);
        var offset = 0;
        while (true)
        {
            var index = span[offset..].IndexOfAny(Utf16Candidates);
            if (index < 0)
            {
                return -1;
            }
            var at = offset + index;
            var c = span[at];
            if (!char.IsSurrogate(c))
            {
                return at;
            }
            if (char.IsHighSurrogate(c) && at + 1 < span.Length && char.IsLowSurrogate(span[at + 1]))
            {
                offset = at + 2;
                continue;
            }
            return at;
        }
    }

    /// <summary>
    /// The UTF-8 scan System.Text.Json runs over every string: vectorized, instead of the base
    /// class's decode-and-ask per character (which made monitoring pages several times slower).
    /// </summary>
    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text)
    {
        var offset = 0;
        while (true)
        {
            var index = utf8Text[offset..].IndexOfAny(Utf8Candidates);
            if (index < 0)
            {
                return -1;
            }
            var at = offset + index;
            if (utf8Text[at] != 0xE2)
            {
                return at;
            }
            if (at + 2 < utf8Text.Length && utf8Text[at + 1] == 0x80 && utf8Text[at + 2] is 0xA8 or 0xA9)
            {
                return at;
            }
            offset = at + 1;
        }
    }

    /// <inheritdoc />
    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var span = new Span<char>(buffer, bufferLength);
        numberOfCharactersWritten = 0;
        if (!WillEncode(unicodeScalar))
        {
            var rune = new System.Text.Rune(unicodeScalar);
            if (!rune.TryEncodeToUtf16(span, out var written))
            {
                return false;
            }
            numberOfCharactersWritten = written;
            return true;
        }
        string? shortForm = unicodeScalar switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\b' => "\\b",
            '\f' => "\\f",
            _ => null,
        };
        if (shortForm is not null)
        {
            if (bufferLength < shortForm.Length)
            {
                return false;
            }
            shortForm.AsSpan().CopyTo(span);
            numberOfCharactersWritten = shortForm.Length;
            return true;
        }
        if (bufferLength < 6)
        {
            return false;
        }
        var value = unicodeScalar is >= 0xD800 and <= 0xDFFF ? 0xFFFD : unicodeScalar;
        span[0] = '\\';
        span[1] = 'u';
        span[2] = Hex[(value >> 12) & 0xF];
        span[3] = Hex[(value >> 8) & 0xF];
        span[4] = Hex[(value >> 4) & 0xF];
        span[5] = Hex[value & 0xF];
        numberOfCharactersWritten = 6;
        return true;
    }
}
