using System.Globalization;
using System.Text;

namespace Nats.Core.Config;

/// <summary>
/// Writes a parsed config the way Go's <c>encoding/json</c> encodes nats-server's parsed
/// <c>map[string]any</c>: map keys sorted by code point, no white space, HTML-safe string
/// escapes (<c>&lt;</c> is <c>\u003c</c>), floats in Go's shortest form, dates as RFC 3339.
/// Only what <see cref="ConfigDigest"/> needs, which is why it is internal.
/// </summary>
internal static class GoJsonWriter
{
    private const string Hex = "0123456789abcdef";

    public static void Write(StringBuilder output, ConfValue value)
    {
        switch (value)
        {
            case ConfMap map:
                output.Append('{');
                var first = true;
                foreach (var entry in map.OrderBy(e => e.Key, CodePointComparer.Instance))
                {
                    if (!first)
                        output.Append(',');
                    first = false;
                    WriteString(output, entry.Key);
                    output.Append(':');
                    Write(output, entry.Value);
                }
                output.Append('}');
                break;
            case ConfList list:
                output.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                        output.Append(',');
                    Write(output, list[i]);
                }
                output.Append(']');
                break;
            case ConfString s:
                WriteString(output, s.Value);
                break;
            case ConfInteger n:
                output.Append(n.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case ConfFloat f:
                output.Append(FormatFloat(f.Value));
                break;
            case ConfBool b:
                output.Append(b.Value ? "true" : "false");
                break;
            case ConfDateTime d:
                WriteString(output, d.ToString());
                break;
            default:
                throw new ArgumentException($"unexpected value type {value.GetType().Name}", nameof(value));
        }
    }

    public static void WriteString(StringBuilder output, string text)
    {
        output.Append('"');
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '"' or '\\':
                    output.Append('\\').Append(c);
                    break;
                case '\b': output.Append("\\b"); break;
                case '\f': output.Append("\\f"); break;
                case '\n': output.Append("\\n"); break;
                case '\r': output.Append("\\r"); break;
                case '\t': output.Append("\\t"); break;
                case < ' ' or '<' or '>' or '&' or '\u2028' or '\u2029':
                    output.Append("\\u").Append(Hex[c >> 12]).Append(Hex[(c >> 8) & 0xF]).Append(Hex[(c >> 4) & 0xF]).Append(Hex[c & 0xF]);
                    break;
                default:
                    // A lone surrogate is invalid UTF-8 in Go, which writes U+FFFD for it.
                    if (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])))
                    {
                        output.Append("\\ufffd");
                        break;
                    }
                    output.Append(c);
                    if (char.IsHighSurrogate(c))
                        output.Append(text[++i]);
                    break;
            }
        }
        output.Append('"');
    }

    /// <summary>Go: shortest round-trip digits; exponent form below 1e-6 and from 1e21, as <c>1e-07</c> → <c>1e-7</c>.</summary>
    public static string FormatFloat(double value)
    {
        var (negative, digits, exponent) = ShortestDecimal(value);
        var sign = negative ? "-" : "";
        var magnitude = Math.Abs(value);
        if (magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21))
        {
            // d.ddde±XX with the exponent of the first digit; Go then trims one leading 0 from a negative exponent.
            var mantissa = digits.Length == 1 ? digits : $"{digits[0]}.{digits[1..]}";
            var e = exponent - 1;
            var expText = Math.Abs(e).ToString(CultureInfo.InvariantCulture);
            if (expText.Length < 2 && e >= 0)
                expText = "0" + expText;
            return $"{sign}{mantissa}e{(e < 0 ? "-" : "+")}{expText}";
        }
        if (exponent <= 0)
            return $"{sign}0.{new string('0', -exponent)}{digits}";
        if (exponent >= digits.Length)
            return $"{sign}{digits}{new string('0', exponent - digits.Length)}";
        return $"{sign}{digits[..exponent]}.{digits[exponent..]}";
    }

    /// <summary>The shortest digits that round-trip, with value = 0.digits × 10^exponent.</summary>
    private static (bool Negative, string Digits, int Exponent) ShortestDecimal(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = text.StartsWith('-');
        if (negative)
            text = text[1..];
        var exponent = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }
        var dot = text.IndexOf('.');
        var integerDigits = dot < 0 ? text.Length : dot;
        var digits = text.Replace(".", "");
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        if (digits.Length == 0)
            return (negative, "0", 1);
        return (negative, digits, integerDigits - leadingZeros + exponent);
    }

    private sealed class CodePointComparer : IComparer<string>
    {
        public static readonly CodePointComparer Instance = new();

        // Go sorts keys by their UTF-8 bytes, i.e. by code point; UTF-16 ordinal order differs
        // only for characters above U+FFFF.
        public int Compare(string? x, string? y)
        {
            var a = x!.EnumerateRunes().GetEnumerator();
            var b = y!.EnumerateRunes().GetEnumerator();
            while (true)
            {
                var hasA = a.MoveNext();
                var hasB = b.MoveNext();
                if (!hasA || !hasB)
                    return hasA.CompareTo(hasB);
                var order = a.Current.Value.CompareTo(b.Current.Value);
                if (order != 0)
                    return order;
            }
        }
    }
}
