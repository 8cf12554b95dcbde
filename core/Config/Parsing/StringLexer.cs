namespace Nats.Core.Config.Parsing;

/// <summary>Reads the string forms of the conf format. Each method starts at the opening character.</summary>
internal static class StringLexer
{
    /// <summary><c>"..."</c>: may span lines; escapes \t \n \r \" \\ \xHH.</summary>
    public static string ReadDoubleQuoted(SourceReader reader)
    {
        var start = reader.Position;
        reader.Next();
        var text = new TextBuilder();
        while (true)
        {
            switch (reader.Peek())
            {
                case SourceReader.End:
                    throw new ConfigException(start, "unterminated double-quoted string");
                case '\\':
                    ReadEscape(reader, text);
                    break;
                case '"':
                    reader.Next();
                    return text.ToString();
                default:
                    text.Append(reader.Next());
                    break;
            }
        }
    }

    /// <summary><c>'...'</c>: raw, no escapes, may span lines.</summary>
    public static string ReadSingleQuoted(SourceReader reader)
    {
        var start = reader.Position;
        reader.Next();
        var text = new TextBuilder();
        while (reader.Peek() != '\'')
        {
            if (reader.AtEnd)
                throw new ConfigException(start, "unterminated single-quoted string");
            text.Append(reader.Next());
        }
        reader.Next();
        return text.ToString();
    }

    /// <summary>
    /// <c>( ... )</c>: raw text up to a <c>)</c> alone on its line. As in nats-server, the
    /// value keeps everything after <c>(</c>, including the new line before the closing <c>)</c>.
    /// </summary>
    public static string ReadBlock(SourceReader reader)
    {
        var start = reader.Position;
        reader.Next();
        var text = new TextBuilder();
        while (true)
        {
            if (reader.AtEnd)
                throw new ConfigException(start, "unterminated block string: close it with ')' alone on a line");
            var c = reader.Next();
            text.Append(c);
            if (c == '\n' && reader.Peek() == ')' && (reader.Peek(1) == SourceReader.End || CharClass.IsNewline(reader.Peek(1))))
            {
                reader.Next();
                return text.ToString();
            }
        }
    }

    /// <summary>
    /// An unquoted string, up to white space or one of <c>, ; ] }</c>. Escapes are decoded;
    /// a <c>'</c> ends the string and is dropped, as nats-server does.
    /// <paramref name="prefix"/> is text already consumed (a number that turned out to be a string).
    /// </summary>
    public static TextBuilder ReadBare(SourceReader reader, string prefix = "")
    {
        var text = new TextBuilder(prefix);
        while (!CharClass.EndsBareString(reader.Peek()))
        {
            switch (reader.Peek())
            {
                case '\\':
                    ReadEscape(reader, text);
                    break;
                case '\'':
                    reader.Next();
                    return text;
                default:
                    text.Append(reader.Next());
                    break;
            }
        }
        return text;
    }

    private static void ReadEscape(SourceReader reader, TextBuilder text)
    {
        var at = reader.Position;
        reader.Next();
        var c = reader.Peek();
        switch (c)
        {
            case 't': text.AppendEscaped('\t'); break;
            case 'n': text.AppendEscaped('\n'); break;
            case 'r': text.AppendEscaped('\r'); break;
            case '"': text.AppendEscaped('"'); break;
            case '\\': text.AppendEscaped('\\'); break;
            case 'x':
                reader.Next();
                text.AppendEscapedByte(ReadHexByte(reader, at));
                return;
            default:
                throw new ConfigException(at,
                    $"invalid escape {(c == SourceReader.End ? "at end of file" : $"character '{(char)c}'")}; " +
                    "only \\xHH, \\t, \\n, \\r, \\\" and \\\\ are allowed");
        }
        reader.Next();
    }

    private static byte ReadHexByte(SourceReader reader, ConfPosition escapeStart)
    {
        Span<char> digits = stackalloc char[2];
        for (var i = 0; i < 2; i++)
        {
            var c = reader.Peek();
            if (c == SourceReader.End || CharClass.IsNewline(c))
                throw new ConfigException(escapeStart, "expected two hexadecimal digits after '\\x', but hit end of line");
            digits[i] = reader.Next();
        }
        if (!char.IsAsciiHexDigit(digits[0]) || !char.IsAsciiHexDigit(digits[1]))
            throw new ConfigException(escapeStart, $"expected two hexadecimal digits after '\\x', but got '{digits}'");
        return (byte)Convert.ToInt32(digits.ToString(), 16);
    }
}
