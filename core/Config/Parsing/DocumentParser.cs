namespace Nats.Core.Config.Parsing;

/// <summary>
/// Parses the structure of one file (or string): entries, maps, arrays and includes, and
/// resolves <c>$variables</c> as it goes, so a variable sees only what was defined before it.
/// Scalars are read by <see cref="ScalarLexer"/>.
/// </summary>
internal sealed class DocumentParser
{
    private readonly SourceReader _reader;
    private readonly ParseSession _session;
    private readonly string _includeDirectory;

    // The maps currently open, outermost first: the scopes searched for $variables.
    private readonly List<ConfMap> _scopes = [];

    public DocumentParser(SourceReader reader, ParseSession session, string includeDirectory)
    {
        _reader = reader;
        _session = session;
        _includeDirectory = includeDirectory;
    }

    /// <summary>Where a run of entries lives; it decides how '{', '}' and end of file are treated.</summary>
    private enum Body
    {
        /// <summary>The file itself.</summary>
        Top,
        /// <summary><c>{ ... }</c> around top-level entries (JSON style); its entries belong to the file.</summary>
        TopBraces,
        /// <summary>A map value.</summary>
        Map,
    }

    public ConfMap Parse()
    {
        var root = new ConfMap(new ConfPosition(_reader.File, 1, 1));
        _scopes.Add(root);
        ParseBody(root, Body.Top, root.Position);
        return root;
    }

    private void ParseBody(ConfMap map, Body body, ConfPosition openedAt)
    {
        while (true)
        {
            _reader.SkipSpace();
            if (_reader.TrySkipComment())
                continue;
            switch (_reader.Peek())
            {
                case SourceReader.End when body == Body.Map:
                    throw new ConfigException(openedAt, "unterminated map: missing '}'");
                case SourceReader.End:
                    // nats-server also accepts a JSON-style top-level '{' that is never closed.
                    return;
                case '}':
                    _reader.Next();
                    // A stray '}' at top level is tolerated: JSON files and hand-edited
                    // configs often end with one, and nats-server accepts that too.
                    if (body == Body.Top)
                        continue;
                    return;
                case '{' when body != Body.Map:
                    var braceAt = _reader.Position;
                    _reader.Next();
                    ParseBody(map, Body.TopBraces, braceAt);
                    continue;
                case ']' when body == Body.Map:
                    throw _reader.Error("unexpected ']' in a map");
            }
            var key = ParseEntry(map, body);
            ParseEntryEnd(body, key);
        }
    }

    /// <summary>Parses <c>key [=|:] value</c> or <c>include path</c>; returns the key for messages.</summary>
    private string ParseEntry(ConfMap map, Body body)
    {
        var keyAt = _reader.Position;
        var first = _reader.Peek();
        if (CharClass.IsKeySeparator(first))
            throw _reader.Error($"unexpected key separator '{(char)first}': expected a key");

        var quoted = first is '"' or '\'';
        var key = quoted ? KeyLexer.ReadQuotedKey(_reader) : KeyLexer.ReadBareKey(_reader);

        if (!quoted && key.Equals("include", StringComparison.OrdinalIgnoreCase) && CharClass.IsSpace(_reader.Peek()))
        {
            ParseInclude(map);
            return key;
        }

        _reader.SkipSpace();
        var hasSeparator = CharClass.IsKeySeparator(_reader.Peek());
        if (hasSeparator)
            _reader.Next();
        else if (_reader.AtEnd)
            throw new ConfigException(keyAt, $"expected a value for '{key}'");

        // Inside a map value may follow on the next line; at top level it may not.
        if (body == Body.Map)
            _reader.SkipSpace();
        else
            _reader.SkipBlanks();

        map.Set(key, keyAt, ParseEntryValue(key, body));
        return key;
    }

    private ConfValue ParseEntryValue(string key, Body body)
    {
        var c = _reader.Peek();
        if (CharClass.IsNewline(c))
            throw _reader.Error($"expected a value for '{key}' but found a new line");
        if (body == Body.Map && c is SourceReader.End or '}' or ',')
            throw _reader.Error($"expected a value for '{key}', got {_reader.DescribeNext()}");
        // Elsewhere an immediate terminator (';', ',', '}', end of file) gives an empty
        // string, as it does in nats-server.
        return ParseValue();
    }

    private ConfValue ParseValue()
    {
        switch (_reader.Peek())
        {
            case '[':
                return ParseArray();
            case '{':
                return ParseMap();
        }
        var scalar = ScalarLexer.Read(_reader);
        return scalar.Value ?? ResolveVariable(scalar.VariableName!, scalar.Position);
    }

    private ConfMap ParseMap()
    {
        var map = new ConfMap(_reader.Position);
        _reader.Next();
        _scopes.Add(map);
        ParseBody(map, Body.Map, map.Position);
        _scopes.RemoveAt(_scopes.Count - 1);
        return map;
    }

    private ConfList ParseArray()
    {
        var list = new ConfList(_reader.Position);
        _reader.Next();
        while (true)
        {
            _reader.SkipSpace();
            if (_reader.TrySkipComment())
                continue;
            switch (_reader.Peek())
            {
                case SourceReader.End:
                    throw new ConfigException(list.Position, "unterminated array: missing ']'");
                case ']':
                    _reader.Next();
                    return list;
                case ',':
                    throw _reader.Error("unexpected ',' in array: expected a value");
            }

            list.Add(ParseValue());

            _reader.SkipBlanks();
            if (_reader.TrySkipComment())
                continue;
            switch (_reader.Peek())
            {
                case ']':
                    _reader.Next();
                    return list;
                // nats-server takes a lone '/' (not a "//" comment) here as a separator.
                case ',' or '\n' or '\r' or '/':
                    _reader.Next();
                    continue;
                case SourceReader.End:
                    throw new ConfigException(list.Position, "unterminated array: missing ']'");
                default:
                    throw _reader.Error($"expected ',', a new line or ']' after an array value, got {_reader.DescribeNext()}");
            }
        }
    }

    /// <summary>After a value: blanks, then a comment, a new line, ';' or ',', or the closing '}'.</summary>
    private void ParseEntryEnd(Body body, string key)
    {
        SkipBlanksAndLoneSlashes();
        if (_reader.TrySkipComment())
            return;
        switch (_reader.Peek())
        {
            case SourceReader.End:
                return;
            case ';' or ',' or '\n' or '\r':
                _reader.Next();
                return;
            case '}':
                // Inside braces the body loop consumes it as the closer; at top level nats-server
                // treats it as a terminator.
                if (body == Body.Top)
                    _reader.Next();
                return;
            default:
                throw _reader.Error($"expected a new line, ';' or ',' after the value of '{key}', got {_reader.DescribeNext()}");
        }
    }

    // nats-server ignores a lone '/' (one that doesn't start a "//" comment) after a value.
    private void SkipBlanksAndLoneSlashes()
    {
        while (CharClass.IsBlank(_reader.Peek()) || (_reader.Peek() == '/' && _reader.Peek(1) != '/'))
            _reader.Next();
    }

    private void ParseInclude(ConfMap map)
    {
        _reader.SkipBlanks();
        var pathAt = _reader.Position;
        var path = KeyLexer.ReadIncludePath(_reader);
        var fullPath = ParseSession.ResolveIncludePath(_includeDirectory, path);
        foreach (var entry in _session.ParseInclude(fullPath, pathAt))
            map.Set(entry.Key, entry.KeyPosition, entry.Value);
    }

    /// <summary>
    /// Resolves <c>$name</c> as nats-server does: a raw bcrypt hash (<c>$2a$...</c>) is
    /// literal; otherwise the innermost open map outward (exact key case), then the environment.
    /// </summary>
    private ConfValue ResolveVariable(string name, ConfPosition at)
    {
        if (name.StartsWith("2a$", StringComparison.Ordinal))
            return new ConfString("$" + name, at);

        for (var i = _scopes.Count - 1; i >= 0; i--)
        {
            if (_scopes[i].TryGetExact(name, out var value))
            {
                value.IsUsedAsVariable = true;
                return value.RelocateTo(at);
            }
        }
        return _session.ResolveEnvironmentVariable(name, at);
    }
}
