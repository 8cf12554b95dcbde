using Nats.Core.Plugins;
using Tomlyn;
using Tomlyn.Model;

namespace Nats.Server.Hosting.Plugins;

/// <summary>
/// A plugin folder's <c>plugin.toml</c>, read before any assembly is loaded: the plugin's name and
/// version, the kernel API it was built for, the top-level config sections it reads (and which of
/// them configure authentication), the plugins it needs, and (optionally) its plugin class.
/// </summary>
/// <example>
/// <code>
/// name = "jetstream"
/// version = "0.1.0"
/// description = "Streams, consumers and their stores"
/// kernel_api = "1.0"
/// needs = []
/// type = "Nats.JetStream.Server.JetStreamPlugin"
///
/// [config]
/// sections = ["jetstream", "store_dir", "storedir", "default_js_domain"]
/// secure_sections = []
/// </code>
/// </example>
internal sealed record PluginManifest(
    string Name,
    string Version,
    string Description,
    string KernelApiVersion,
    IReadOnlyList<string> Sections,
    IReadOnlyList<string> SecureSections,
    IReadOnlyList<string> Needs,
    string Path)
{
    /// <summary>
    /// The <c>[ServerPlugin]</c> class (namespace-qualified, <c>+</c> for a nested one), or null.
    /// When given, the host loads that class alone instead of every type of the assembly
    /// (<see cref="LoadedFolder.Load"/>).
    /// </summary>
    public string? Type { get; init; }

    /// <summary>The manifest's file name in a plugin folder.</summary>
    public const string FileName = "plugin.toml";

    /// <summary>Reads and checks the manifest of <paramref name="folder"/>.</summary>
    /// <exception cref="PluginLoadFailure">Missing, malformed or incomplete, or built for another kernel API; the message names the file.</exception>
    public static PluginManifest Read(PluginFolder folder)
    {
        var path = System.IO.Path.Combine(folder.Path, FileName);
        if (!File.Exists(path))
        {
            throw new PluginLoadFailure($"no {FileName} in {folder.Path} (every plugin folder carries a manifest: see docs/plugins.md)");
        }
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new PluginLoadFailure($"cannot read {path}: {e.Message}", e);
        }
        return Parse(text, path);
    }

    /// <summary>Reads and checks a manifest's text (a native build's linked-in plugins carry theirs as resources).</summary>
    /// <exception cref="PluginLoadFailure">Malformed or incomplete, or built for another kernel API; the message names <paramref name="path"/>.</exception>
    public static PluginManifest Parse(string text, string path)
    {
        TomlTable table;
        try
        {
            table = TomlSerializer.Deserialize<TomlTable>(text, new TomlSerializerOptions { SourceName = path })
                ?? throw new PluginLoadFailure($"{path}: empty manifest");
        }
        catch (TomlException e)
        {
            throw new PluginLoadFailure($"{path}: {e.Message}", e);
        }
        return Parse(table, path);
    }

    /// <summary>Checks a parsed manifest (public for tests).</summary>
    /// <exception cref="PluginLoadFailure">A field is missing or of the wrong type, or the kernel API does not match.</exception>
    public static PluginManifest Parse(TomlTable table, string path)
    {
        foreach (var key in table.Keys)
        {
            if (key is not ("name" or "version" or "description" or "kernel_api" or "needs" or "type" or "config"))
            {
                throw new PluginLoadFailure($"{path}: unknown field \"{key}\"");
            }
        }
        var name = RequiredString(table, "name", path);
        var kernelApi = RequiredString(table, "kernel_api", path);
        if (!KernelApi.Supports(kernelApi))
        {
            throw new PluginLoadFailure($"{path}: plugin {name} was built for kernel API {kernelApi}, this server provides {KernelApi.Version}");
        }
        IReadOnlyList<string> sections = [];
        IReadOnlyList<string> secure = [];
        if (table.TryGetValue("config", out var configValue))
        {
            if (configValue is not TomlTable config)
            {
                throw new PluginLoadFailure($"{path}: \"config\" must be a table");
            }
            foreach (var key in config.Keys)
            {
                if (key is not ("sections" or "secure_sections"))
                {
                    throw new PluginLoadFailure($"{path}: unknown field \"config.{key}\"");
                }
            }
            sections = Strings(config, "sections", "config.sections", path);
            secure = Strings(config, "secure_sections", "config.secure_sections", path);
            var undeclared = secure.FirstOrDefault(s => !sections.Contains(s, StringComparer.OrdinalIgnoreCase));
            if (undeclared is not null)
            {
                throw new PluginLoadFailure($"{path}: config.secure_sections lists \"{undeclared}\", which config.sections does not");
            }
        }
        return new PluginManifest(
            name,
            RequiredString(table, "version", path),
            table.TryGetValue("description", out var d) && d is string description ? description : "",
            kernelApi,
            sections,
            secure,
            Strings(table, "needs", "needs", path),
            path)
        {
            Type = table.ContainsKey("type") ? RequiredString(table, "type", path) : null,
        };
    }

    private static string RequiredString(TomlTable table, string key, string path) =>
        table.TryGetValue(key, out var value) && value is string { Length: > 0 } text
            ? text
            : throw new PluginLoadFailure($"{path}: \"{key}\" must be a non-empty string");

    private static IReadOnlyList<string> Strings(TomlTable table, string key, string field, string path)
    {
        if (!table.TryGetValue(key, out var value))
        {
            return [];
        }
        if (value is not TomlArray array || array.Any(item => item is not string { Length: > 0 }))
        {
            throw new PluginLoadFailure($"{path}: \"{field}\" must be an array of non-empty strings");
        }
        return [.. array.Cast<string>()];
    }
}
