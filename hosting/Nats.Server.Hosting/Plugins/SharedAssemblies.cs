using System.Reflection;

namespace Nats.Server.Hosting.Plugins;

/// <summary>
/// The assemblies every plugin shares with the host, loaded once in the default context,
/// so that the types a plugin exchanges with the kernel are the kernel's own types: an
/// <c>IServerPlugin</c> from a second copy of Nats.Core would be a different type, and the
/// host would find no plugin at all. Everything else a plugin carries stays private to it;
/// what it does not carry (the shared frameworks) comes from the default context.
/// </summary>
internal static class SharedAssemblies
{
    /// <summary>
    /// The contract: the kernel, System.Composition (the export attributes and the
    /// <c>ExportFactory</c> the host imports) and the logging abstractions in the kernel's API.
    /// (The System.Composition package is only a bundle of these assemblies: no assembly bears its name.)
    /// </summary>
    public static readonly IReadOnlyList<string> Contract =
    [
        "Nats.Core",
        "System.Composition.AttributedModel",
        "System.Composition.Convention",
        "System.Composition.Hosting",
        "System.Composition.Runtime",
        "System.Composition.TypedParts",
        "Microsoft.Extensions.Logging.Abstractions",
    ];

    /// <summary>True when <paramref name="name"/> is part of the contract.</summary>
    public static bool IsShared(AssemblyName name) =>
        name.Name is { } simple && Contract.Contains(simple, StringComparer.OrdinalIgnoreCase);
}
