using Nats.Core.Config;

namespace Nats.Core.Tests.Config;

/// <summary>Shortcuts shared by the config parser tests.</summary>
internal static class ConfTestSupport
{
    public static ConfMap Parse(string text) => ConfParser.ParseString(text);

    /// <summary>The parsed tree as plain .NET objects, so whole results compare with one assertion.</summary>
    public static object ToPlain(ConfValue value) => value switch
    {
        ConfMap map => map.ToDictionary(e => e.Key, e => ToPlain(e.Value)),
        ConfList list => list.Select(ToPlain).ToList(),
        ConfString s => s.Value,
        ConfInteger i => i.Value,
        ConfFloat f => f.Value,
        ConfBool b => b.Value,
        ConfDateTime d => d.Value,
        _ => throw new ArgumentException(value.GetType().Name),
    };

    public static Dictionary<string, object> ParsePlain(string text) => (Dictionary<string, object>)ToPlain(Parse(text));

    public static ConfigException ParseError(string text) =>
        Assert.Throws<ConfigException>(() => Parse(text))!;
}

/// <summary>A temporary directory for include tests, removed on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "nats-conf-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string relativePath, string content)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp dir must not fail a test.
        }
    }
}
