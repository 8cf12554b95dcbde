namespace Nats.Core.Plugins;

/// <summary>
/// The version of the kernel's plugin contract (the public API of Nats.Core that plugins compile
/// against). A plugin's manifest names the version it was built for (<c>kernel_api</c>); the host
/// loads it when <see cref="Supports"/> says the kernel provides that version.
/// </summary>
/// <remarks>
/// "major.minor": the major changes when the contract breaks, the minor when it grows. A plugin
/// built for 1.0 runs on a 1.3 kernel; one built for 1.3 does not run on 1.0, nor one for 2.0 on 1.x.
/// History: 1.0, the first plugin contract; 1.1 adds clients a plugin runs without a stream
/// (<c>NatsServer.OpenPluginClient</c>, <c>IPluginClientHost</c>), which the MQTT plugin needs.
/// </remarks>
public static class KernelApi
{
    /// <summary>The contract version this kernel provides.</summary>
    public const string Version = "1.1";

    /// <summary>True when a plugin built for <paramref name="version"/> ("major.minor") can run on this kernel.</summary>
    public static bool Supports(string? version) =>
        TryParse(version, out var wanted) && TryParse(Version, out var provided)
        && wanted.Major == provided.Major && wanted.Minor <= provided.Minor;

    private static bool TryParse(string? text, out (int Major, int Minor) version)
    {
        version = default;
        var parts = text?.Split('.') ?? [];
        if (parts.Length != 2 || !int.TryParse(parts[0], System.Globalization.NumberStyles.None, null, out var major)
            || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, null, out var minor))
        {
            return false;
        }
        version = (major, minor);
        return true;
    }
}
