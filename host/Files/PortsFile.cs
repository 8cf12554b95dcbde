using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nats.Host.Files;

/// <summary>
/// The <c>ports_file_dir</c> file, <c>&lt;exe&gt;_&lt;pid&gt;.ports</c>, with the URLs the server can be
/// reached at, as nats-server writes it: <c>{"nats":["nats://127.0.0.1:4222",…],"monitoring":[…]}</c>.
/// A server bound to every interface lists each interface's address.
/// </summary>
internal sealed class PortsFile : IDisposable
{
    private PortsFile(string path) => Path = path;

    public string Path { get; }

    /// <summary>Writes the file for the given listeners (monitoring may be absent).</summary>
    public static PortsFile Write(string directory, string exeName, string clientHost, int clientPort, string? monitoringHost, int? monitoringPort)
    {
        var file = new PortsFile(System.IO.Path.Combine(directory, $"{exeName}_{Environment.ProcessId}.ports"));
        var ports = new Ports(
            Urls("nats", clientHost, clientPort),
            monitoringPort is { } port ? Urls("http", monitoringHost ?? clientHost, port) : null);
        File.WriteAllText(file.Path, JsonSerializer.Serialize(ports, PortsJson.Default.Ports));
        return file;
    }

    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort, as nats-server: an error here only gets logged there.
        }
    }

    /// <summary>nats-server's <c>resolveHostPorts</c>: an unspecified address expands to the interfaces' addresses.</summary>
    internal static string[] Urls(string scheme, string host, int port)
    {
        IEnumerable<IPAddress> addresses;
        if (host is "" or "0.0.0.0")
        {
            // The kernel binds 0.0.0.0 as IPv4 only, so only IPv4 addresses are reachable.
            addresses = InterfaceAddresses().Where(a => a.AddressFamily == AddressFamily.InterNetwork);
        }
        else if (host is "::" or "[::]")
        {
            addresses = InterfaceAddresses();
        }
        else
        {
            return [$"{scheme}://{Format(host)}:{port}"];
        }
        return addresses.Select(a => $"{scheme}://{Format(a.ToString())}:{port}").ToArray();
    }

    private static IEnumerable<IPAddress> InterfaceAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            // Go prints link-local IPv6 addresses without their zone.
            .Select(a => a.AddressFamily == AddressFamily.InterNetworkV6 && a.ScopeId != 0 ? new IPAddress(a.GetAddressBytes()) : a);

    private static string Format(string host) => host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host;

    internal sealed record Ports(
        [property: JsonPropertyName("nats")] string[] Nats,
        [property: JsonPropertyName("monitoring"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string[]? Monitoring);
}

[JsonSerializable(typeof(PortsFile.Ports))]
internal sealed partial class PortsJson : JsonSerializerContext;
