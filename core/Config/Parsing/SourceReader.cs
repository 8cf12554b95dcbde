namespace Nats.Core.Config.Parsing;

/// <summary>
/// A cursor over config text that tracks line and column. <see cref="Peek"/> returns
/// <see cref="End"/> past the end, so a NUL character in the text is never mistaken for it.
/// </summary>
internal sealed class SourceReader
{
    public const int End = -1;

    private readonly string _text;
    private int _offset;
    private int _line = 1;
    private int _column = 1;

    public SourceReader(string text, string file)
    {
        _text = text;
        File = file;
    }

    public string File { get; }

    public bool AtEnd => _offset >= _text.Length;

    public ConfPosition Position => new(File, _line, _column);

    public int Peek(int ahead = 0) => _offset + ahead < _text.Length ? _text[_offset + ahead] : End;

    public char Next()
    {
        var c = _text[_offset++];
        if (c == '\n')
        {
            _line++;
            _column = 1;
        }
        else if (!char.IsLowSurrogate(c))
        {
            _column++;
        }
        return c;
    }

    /// <summary>Skips all white space, new lines included.</summary>
    public void SkipSpace()
    {
        while (!AtEnd && CharClass.IsSpace(Peek()))
            Next();
    }

    /// <summary>Skips spaces and tabs only.</summary>
    public void SkipBlanks()
    {
        while (CharClass.IsBlank(Peek()))
            Next();
    }

    /// <summary>Skips a <c>#</c> or <c>//</c> comment up to (not including) the end of its line.</summary>
    public bool TrySkipComment()
    {
        if (Peek() != '#' && !(Peek() == '/' && Peek(1) == '/'))
            return false;
        while (!AtEnd && !CharClass.IsNewline(Peek()))
            Next();
        return true;
    }

    public ConfigException Error(string reason) => new(Position, reason);

    /// <summary>Names the next character for error messages.</summary>
    public string DescribeNext() => Peek() switch
    {
        End => "end of file",
        '\n' or '\r' => "a new line",
        var c => $"'{(char)c}'",
    };
}
