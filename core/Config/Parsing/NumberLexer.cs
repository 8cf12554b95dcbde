using System.Globalization;
using System.Text;

namespace Nats.Core.Config.Parsing;

/// <summary>
/// Reads a value that starts with a digit or '-': an integer (optionally with a size
/// suffix), a float, a Zulu date-time, or, following nats-server, a string when the digits
/// run into other text: <c>10s</c>, <c>3secret</c>, <c>127.0.0.1:4222</c>.
/// </summary>
internal static class NumberLexer
{
    private const string DatePattern = "-00-00T00:00:00Z";

    public static ConfValue Read(SourceReader reader)
    {
        var start = reader.Position;
        var token = new StringBuilder();
        var negative = reader.Peek() == '-';
        if (negative)
        {
            token.Append(reader.Next());
            if (!CharClass.IsDigit(reader.Peek()))
                throw reader.Error(reader.Peek() == '.'
                    ? "floats must start with a digit, not '.'"
                    : $"expected a digit after '-', got {reader.DescribeNext()}");
        }
        ReadDigits(reader, token);

        var next = reader.Peek();
        if (next == '-' && !negative)
            return ReadDate(reader, token, start);
        if (next == '.')
            return ReadFloatOrAddress(reader, token, start);
        if (CharClass.IsSizeLetter(next))
            return ReadSized(reader, token, start);
        // A negative number ends at the first non-digit; whatever follows is then reported
        // by the caller. Only unsigned digits can start a bare string, as in nats-server.
        if (negative || CharClass.EndsNumber(next))
            return new ConfInteger(ParseInteger(token.ToString(), start), token.ToString(), start);
        return new ConfString(StringLexer.ReadBare(reader, token.ToString()).ToString(), start);
    }

    private static void ReadDigits(SourceReader reader, StringBuilder token)
    {
        while (CharClass.IsDigit(reader.Peek()))
            token.Append(reader.Next());
    }

    private static ConfValue ReadSized(SourceReader reader, StringBuilder token, ConfPosition start)
    {
        var digitsLength = token.Length;
        token.Append(reader.Next());
        while (reader.Peek() is 'b' or 'B' or 'i' or 'I')
            token.Append(reader.Next());
        // A digit after the suffix ends the number (and is then reported by the caller), as in nats-server.
        if (!CharClass.EndsNumber(reader.Peek()) && !CharClass.IsDigit(reader.Peek()))
            return new ConfString(StringLexer.ReadBare(reader, token.ToString()).ToString(), start);

        var text = token.ToString();
        var suffix = text[digitsLength..];
        if (!SizeSuffix.TryGetMultiplier(suffix, out var multiplier))
            throw new ConfigException(start, $"invalid size suffix '{suffix}' in '{text}'");
        var number = ParseInteger(text[..digitsLength], start);
        try
        {
            return new ConfInteger(checked(number * multiplier), text, start);
        }
        catch (OverflowException)
        {
            throw new ConfigException(start, $"size '{text}' is out of range");
        }
    }

    private static ConfValue ReadFloatOrAddress(SourceReader reader, StringBuilder token, ConfPosition start)
    {
        token.Append(reader.Next());
        if (!CharClass.IsDigit(reader.Peek()))
            throw reader.Error($"floats must have a digit after the '.', got {reader.DescribeNext()}");
        ReadDigits(reader, token);

        if (reader.Peek() == '.')
        {
            // A second dot: an address such as 127.0.0.1 or 127.0.0.1:4222.
            while (CharClass.IsDigit(reader.Peek()) || reader.Peek() is '.' or ':' or '-')
                token.Append(reader.Next());
            return new ConfString(token.ToString(), start);
        }

        var text = token.ToString();
        var value = double.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        if (double.IsInfinity(value))
            throw new ConfigException(start, $"float '{text}' is out of range");
        return new ConfFloat(value, start);
    }

    private static ConfValue ReadDate(SourceReader reader, StringBuilder token, ConfPosition start)
    {
        if (token.Length != 4)
            throw reader.Error("dates must be in full ISO 8601 Zulu form (YYYY-MM-DDTHH:MM:SSZ)");
        foreach (var expected in DatePattern)
        {
            var c = reader.Peek();
            var ok = expected == '0' ? CharClass.IsDigit(c) : c == expected;
            if (!ok)
                throw reader.Error($"expected {(expected == '0' ? "a digit" : $"'{expected}'")} in ISO 8601 date-time, got {reader.DescribeNext()}");
            token.Append(reader.Next());
        }
        var text = token.ToString();
        if (!DateTime.TryParseExact(text, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
            throw new ConfigException(start, $"invalid date-time '{text}'");
        return new ConfDateTime(value, start);
    }

    private static long ParseInteger(string digits, ConfPosition start) =>
        long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ConfigException(start, $"integer '{digits}' is out of range");
}
