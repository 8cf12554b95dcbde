using System.Reflection;

namespace Nats.Host.Plugins;

/// <summary>
/// The assemblies every plugin shares with the host, loaded once in the default context,
/// so that the types a plugin exchanges with the kernel are the kernel's own types: an
/// <c>IServerPlugin</c> from a second copy of Nats.Core would be a different type, and the
/// host would find no plugin at all. Everything else a plugin carries stays private to it.
/// </summary>
internal static class SharedAssemblies
{
    /// <summary>
    /// The contract: the kernel, System.Composition (the export attributes and the
    /// <c>ExportFactory</c> the host imports) and the logging abstractions in the kernel's API.
    /// </summary>
    public static readonly IReadOnlyList<string> Contract =
    [
        "Nats.Core",
        "System.Composition",
        "System.Composition.AttributedModel",
        "System.Composition.Convention",
        "System.Composition.Hosting",
        "System.Composition.Runtime",
        "System.Composition.TypedParts",
        "Microsoft.Extensions.Logging.Abstractions",
    ];

    private static readonly HashSet<string> ContractSet = new(Contract, StringComparer.OrdinalIgnoreCase);

    private static readonly Lazy<HashSet<string>> Framework = new(FindFrameworkAssemblies);

    /// <summary>
    /// True when <paramref name="name"/> must come from the default context: it is part of the
    /// contract, or of the shared frameworks the host runs on (a plugin cannot bring its own
    /// System.Runtime, and framework types such as <c>ILoggerFactory</c> cross the boundary).
    /// </summary>
    public static bool IsShared(AssemblyName name) =>
        name.Name is { } simple && (ContractSet.Contains(simple) || Framework.Value.Contains(simple));

    /// <summary>
    /// The framework's assemblies: those on the trusted platform list that do not live in the
    /// host's own directory (the host's private dependencies, such as BouncyCastle, are not
    /// shared: a plugin may carry another version of them).
    /// </summary>
    private static HashSet<string> FindFrameworkAssemblies()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var appDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(AppContext.BaseDirectory));
        var list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
        foreach (var path in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.Equals(directory, appDirectory, StringComparison.Ordinal))
            {
                names.Add(Path.GetFileNameWithoutExtension(path));
            }
        }
        return names;
    }
}
