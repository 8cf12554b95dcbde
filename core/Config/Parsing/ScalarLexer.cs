namespace Nats.Core.Config.Parsing;

/// <summary>Reads one scalar value (anything but a map or an array) at the reader's position.</summary>
internal static class ScalarLexer
{
    public static Scalar Read(SourceReader reader)
    {
        var start = reader.Position;
        var c = reader.Peek();
        switch (c)
        {
            case '"':
                return Value(new ConfString(StringLexer.ReadDoubleQuoted(reader), start));
            case '\'':
                return Value(new ConfString(StringLexer.ReadSingleQuoted(reader), start));
            case '(':
                return Value(new ConfString(StringLexer.ReadBlock(reader), start));
            case '.':
                throw reader.Error("floats must start with a digit");
        }
        if (c == '-' || CharClass.IsDigit(c))
            return Value(NumberLexer.Read(reader));

        var bare = StringLexer.ReadBare(reader);
        var text = bare.ToString();
        // Escapes make a bare word literal: \\true is a string, \\$x is not a variable.
        if (!bare.HasEscapes)
        {
            if (TryParseBool(text, out var flag))
                return Value(new ConfBool(flag, start));
            if (text.StartsWith('$'))
                return new Scalar(null, text[1..], start);
        }
        return Value(new ConfString(text, start));
    }

    private static Scalar Value(ConfValue value) => new(value, null, value.Position);

    private static bool TryParseBool(string text, out bool value)
    {
        switch (text.ToLowerInvariant())
        {
            case "true" or "yes" or "on":
                value = true;
                return true;
            case "false" or "no" or "off":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }
}
