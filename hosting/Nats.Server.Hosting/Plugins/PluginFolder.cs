namespace Nats.Server.Hosting.Plugins;

/// <summary>
/// One plugin folder: <c>&lt;dir&gt;/&lt;Name&gt;/</c> holding the entry assembly
/// <c>&lt;Name&gt;.dll</c>, its <c>&lt;Name&gt;.deps.json</c> and its private dependencies.
/// </summary>
/// <param name="Name">The folder's name, which is also the entry assembly's name.</param>
/// <param name="Path">The folder's full path.</param>
internal sealed record PluginFolder(string Name, string Path)
{
    /// <summary>The entry assembly's full path (it may be missing: that is reported when loading).</summary>
    public string EntryAssemblyPath => System.IO.Path.Combine(Path, Name + ".dll");
}
