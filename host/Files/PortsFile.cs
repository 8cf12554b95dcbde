using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using Nats.Core;
using Nats.Core.Connections;

namespace Nats.Host.Files;

/// <summary>
/// The <c>ports_file_dir</c> file, <c>&lt;exe&gt;_&lt;pid&gt;.ports</c> (<see cref="ExecutableName"/>),
/// with the URLs the server can be reached at, as nats-server writes it:
/// <c>{"nats":["nats://127.0.0.1:4222",…],"monitoring":[…],"cluster":[…],"websocket":[…]}</c>,
/// one key per listener (<see cref="NatsServer.ListenerAddresses"/>, plugins' included). A
/// listener bound to every interface lists each interface's address.
/// </summary>
internal sealed class PortsFile : IDisposable
{
    private PortsFile(string path) => Path = path;

    public string Path { get; }

    /// <summary>The file's name for this process: <c>&lt;exe&gt;_&lt;pid&gt;.ports</c>.</summary>
    public static string FileName(string exeName) => $"{exeName}_{Environment.ProcessId}.ports";

    /// <summary>Writes the file listing <paramref name="listeners"/>, grouped by name in their order.</summary>
    public static PortsFile Write(string directory, string exeName, IReadOnlyList<ListenerAddress> listeners)
    {
        var file = new PortsFile(System.IO.Path.Combine(directory, FileName(exeName)));
        var ports = new Dictionary<string, List<string>>();
        foreach (var listener in listeners)
        {
            if (!ports.TryGetValue(listener.Name, out var urls))
            {
                ports[listener.Name] = urls = [];
            }
            urls.AddRange(Urls(listener.Scheme, listener.Host, listener.Port));
        }
        File.WriteAllText(file.Path, JsonSerializer.Serialize(ports, PortsJson.Default.DictionaryStringListString));
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
        if (!HostPort.IsAnyHost(host))
        {
            // A name is listed as the address it was bound to, as Go lists the listener's address.
            var bound = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? literal : HostPort.ToAddress(host);
            return [$"{scheme}://{Format(bound.ToString())}:{port}"];
        }
        // Every interface, IPv6 included: the listeners bind 0.0.0.0 dual-stack, as nats-server
        // does, whose resolveHostPorts then lists every interface address.
        var addresses = Socket.OSSupportsIPv6 ? InterfaceAddresses() : InterfaceAddresses().Where(a => a.AddressFamily == AddressFamily.InterNetwork);
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
}

[JsonSerializable(typeof(Dictionary<string, List<string>>))]
internal sealed partial class PortsJson : JsonSerializerContext;
