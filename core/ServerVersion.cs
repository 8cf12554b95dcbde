using System.Reflection;

namespace Nats.Core;

/// <summary>The versions this server reports.</summary>
public static class ServerVersion
{
    /// <summary>
    /// The nats-server behaviour level this server matches, sent as <c>version</c> in INFO:
    /// clients decide which features to use from it. Raised as features land.
    /// </summary>
    public const string CompatibleNatsVersion = "2.11.0";

    /// <summary>The client protocol version (INFO <c>proto</c>).</summary>
    public const int Protocol = 1;

    /// <summary>This product's own version (<c>--version</c>, start-up log, <c>/varz</c>).</summary>
    public static string Product { get; } =
        typeof(ServerVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(ServerVersion).Assembly.GetName().Version?.ToString() ?? "0.0.0";
}
