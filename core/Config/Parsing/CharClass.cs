namespace Nats.Core.Config.Parsing;

/// <summary>Character classes of the conf format; the values follow nats-server's lexer.</summary>
internal static class CharClass
{
    /// <summary>Space or tab: what separates tokens on one line.</summary>
    public static bool IsBlank(int c) => c is ' ' or '\t';

    public static bool IsNewline(int c) => c is '\n' or '\r';

    /// <summary>Any Unicode white space, new lines included (Go's unicode.IsSpace).</summary>
    public static bool IsSpace(int c) => c >= 0 && char.IsWhiteSpace((char)c);

    public static bool IsKeySeparator(int c) => c is '=' or ':';

    public static bool IsDigit(int c) => c is >= '0' and <= '9';

    /// <summary>Where an unquoted string ends.</summary>
    public static bool EndsBareString(int c) =>
        c is SourceReader.End or ';' or ',' or ']' or '}' || IsNewline(c) || IsBlank(c);

    /// <summary>What may follow a number for it to be a number rather than the start of a bare string.</summary>
    public static bool EndsNumber(int c) => EndsBareString(c);

    /// <summary>The first letter of a size suffix: k, m, g, t, p, e in any case.</summary>
    public static bool IsSizeLetter(int c) => c is 'k' or 'K' or 'm' or 'M' or 'g' or 'G' or 't' or 'T' or 'p' or 'P' or 'e' or 'E';
}
