using System.Text;

namespace Nats.Core.Config.Parsing;

/// <summary>Reads what starts an entry: a key, or the path after the <c>include</c> keyword.</summary>
internal static class KeyLexer
{
    /// <summary><c>"key"</c> or <c>'key'</c>: anything up to the same quote, no escapes.</summary>
    public static string ReadQuotedKey(SourceReader reader)
    {
        var start = reader.Position;
        var quote = reader.Next();
        var key = new StringBuilder();
        while (reader.Peek() != quote)
        {
            if (reader.AtEnd)
                throw new ConfigException(start, "unterminated quoted key");
            key.Append(reader.Next());
        }
        reader.Next();
        return key.ToString();
    }

    /// <summary>
    /// An unquoted key: up to white space, '=' or ':'. Braces, commas and the like are key
    /// characters here, as in nats-server; the first character is taken unconditionally.
    /// </summary>
    public static string ReadBareKey(SourceReader reader)
    {
        var key = new StringBuilder();
        key.Append(reader.Next());
        while (!reader.AtEnd && !CharClass.IsSpace(reader.Peek()) && !CharClass.IsKeySeparator(reader.Peek()))
            key.Append(reader.Next());
        return key.ToString();
    }

    /// <summary>The include path: quoted (no escapes), or bare up to white space, ';' or '}'.</summary>
    public static string ReadIncludePath(SourceReader reader)
    {
        var c = reader.Peek();
        if (c is '"' or '\'')
            return ReadQuotedPath(reader);
        // The same starts nats-server refuses: they mean the user wrote a value, not a path.
        if (c is '[' or '{' or '(' or '-' or '\\' or SourceReader.End || CharClass.IsNewline(c) || CharClass.IsDigit(c))
            throw reader.Error($"expected an include path, got {reader.DescribeNext()}");

        var path = new StringBuilder();
        while (!reader.AtEnd && !CharClass.IsSpace(reader.Peek()) && reader.Peek() is not (';' or '}'))
            path.Append(reader.Next());
        return path.ToString();
    }

    private static string ReadQuotedPath(SourceReader reader)
    {
        var start = reader.Position;
        var quote = reader.Next();
        var path = new StringBuilder();
        while (reader.Peek() != quote)
        {
            if (reader.AtEnd)
                throw new ConfigException(start, "unterminated quoted include path");
            path.Append(reader.Next());
        }
        reader.Next();
        return path.ToString();
    }
}
