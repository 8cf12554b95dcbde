namespace Nats.Core.Config.Parsing;

/// <summary>
/// State shared by the parse of one config and everything it pulls in: the chain of files
/// being included (to report cycles) and the environment variables being expanded (to
/// report reference cycles such as A=$B, B=$A).
/// </summary>
internal sealed class ParseSession
{
    // A backstop for include loops that path comparison can't see (e.g. through symbolic links).
    private const int MaxIncludeDepth = 64;

    // The key nats-server wraps an environment value in to parse it as a config value.
    private const string EnvironmentKey = "pk";

    private readonly List<string> _fileChain = [];
    private readonly HashSet<string> _expandingEnvironment = new(StringComparer.Ordinal);

    public ConfMap ParseText(string text, string file, string includeDirectory, string? fullPath)
    {
        if (fullPath is not null)
            _fileChain.Add(fullPath);
        try
        {
            var reader = new SourceReader(StripByteOrderMark(text), file);
            return new DocumentParser(reader, this, includeDirectory).Parse();
        }
        finally
        {
            if (fullPath is not null)
                _fileChain.RemoveAt(_fileChain.Count - 1);
        }
    }

    /// <summary>
    /// Include paths are joined to the including file's directory, even when they start with
    /// a '/': nats-server does the same (Go's filepath.Join).
    /// </summary>
    public static string ResolveIncludePath(string includeDirectory, string path) =>
        Path.GetFullPath(Path.Join(includeDirectory, path));

    public ConfMap ParseInclude(string fullPath, ConfPosition includedAt)
    {
        var cycleStart = _fileChain.IndexOf(fullPath);
        if (cycleStart >= 0)
        {
            var chain = string.Join(" -> ", _fileChain.Skip(cycleStart).Append(fullPath));
            throw new ConfigException(includedAt, $"include cycle: {chain}");
        }
        if (_fileChain.Count >= MaxIncludeDepth)
            throw new ConfigException(includedAt, $"includes nested more than {MaxIncludeDepth} deep (an include cycle through a link?)");

        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(includedAt, $"cannot read include file '{fullPath}': {e.Message}", e);
        }

        try
        {
            return ParseText(text, fullPath, Path.GetDirectoryName(fullPath)!, fullPath);
        }
        catch (ConfigException e) when (e.File == fullPath)
        {
            throw new ConfigException(e.Position, $"{e.Reason} (included from {includedAt})", e);
        }
    }

    /// <summary>
    /// Looks <paramref name="name"/> up in the environment. As in nats-server the value is
    /// itself parsed as a config value, so "22" is an integer, "[a, b]" an array and
    /// "'3xyz'" a string.
    /// </summary>
    public ConfValue ResolveEnvironmentVariable(string name, ConfPosition at)
    {
        if (!_expandingEnvironment.Add(name))
            throw new ConfigException(at, $"variable reference cycle for '{name}'");
        try
        {
            var raw = Environment.GetEnvironmentVariable(name)
                ?? throw new ConfigException(at, $"variable reference for '{name}' can not be found");
            ConfMap parsed;
            try
            {
                parsed = ParseText($"{EnvironmentKey}={raw}", $"${name}", Directory.GetCurrentDirectory(), null);
            }
            catch (ConfigException e) when (e.File == $"${name}")
            {
                throw new ConfigException(at, $"variable reference for '{name}' could not be parsed: {e.Reason}", e);
            }
            return parsed.TryGet(EnvironmentKey, out var value)
                ? value.RelocateTo(at)
                : throw new ConfigException(at, $"variable reference for '{name}' has no value");
        }
        finally
        {
            _expandingEnvironment.Remove(name);
        }
    }

    private static string StripByteOrderMark(string text) =>
        text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
}
