using Nats.Core.Config.Parsing;

namespace Nats.Core.Config;

/// <summary>
/// Parses the nats-server configuration format: <c>key: value</c>, <c>key = value</c> or
/// <c>key value</c>; <c>{}</c> maps and <c>[]</c> arrays; <c>#</c> and <c>//</c> comments;
/// <c>include</c>; <c>$VAR</c> variables; quoted, bare and block strings; sizes, numbers,
/// booleans and dates. A JSON document is a valid config too.
/// </summary>
/// <remarks>
/// Errors are <see cref="ConfigException"/>s naming file, line and column. Values keep their
/// positions; maps look keys up case-insensitively and keep their order; repeated keys: last
/// one wins. Variable definitions stay in the map (marked <see cref="ConfValue.IsUsedAsVariable"/>
/// once referenced), as in nats-server 2.10+.
/// </remarks>
public static class ConfParser
{
    /// <summary>Reads and parses a config file; <c>include</c> paths are relative to its directory.</summary>
    public static ConfMap ParseFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(new ConfPosition(path, 0, 0), $"cannot read config file: {e.Message}", e);
        }
        var fullPath = Path.GetFullPath(path);
        return new ParseSession().ParseText(text, path, Path.GetDirectoryName(fullPath)!, fullPath);
    }

    /// <summary>
    /// Parses config text. <paramref name="fileNameForErrors"/> names the text in positions and
    /// errors (empty when null); <c>include</c> paths are relative to
    /// <paramref name="baseDirForIncludes"/>, else to the directory of
    /// <paramref name="fileNameForErrors"/>, else to the current directory.
    /// </summary>
    public static ConfMap ParseString(string text, string? fileNameForErrors = null, string? baseDirForIncludes = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var fullPath = fileNameForErrors is null ? null : Path.GetFullPath(fileNameForErrors);
        var includeDirectory = baseDirForIncludes is not null
            ? Path.GetFullPath(baseDirForIncludes)
            : fullPath is not null ? Path.GetDirectoryName(fullPath)! : Directory.GetCurrentDirectory();
        return new ParseSession().ParseText(text, fileNameForErrors ?? "", includeDirectory, fullPath);
    }
}
