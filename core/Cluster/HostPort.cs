using System.Globalization;
using System.Net;

namespace Nats.Core.Cluster;

/// <summary>Addresses the way nats-server writes them: host:port (IPv6 in brackets), and peer IPs.</summary>
internal static class HostPort
{
    /// <summary><c>host:port</c>, with an IPv6 host in brackets.</summary>
    public static string Join(string host, int port) =>
        host.Contains(':') && !host.StartsWith('[') ? $"[{host}]:{port.ToString(CultureInfo.InvariantCulture)}" : $"{host}:{port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses <c>host[:port]</c>, using <paramref name="defaultPort"/> when the port is missing.</summary>
    public static (string Host, int Port) Parse(string value, int defaultPort)
    {
        var text = value.Contains("://", StringComparison.Ordinal) ? new Uri(value).Authority : value;
        var colon = text.LastIndexOf(':');
        if (colon > 0 && (text[0] != '[' || text[colon - 1] == ']') && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return (text[..colon].Trim('[', ']'), port);
        }
        return (text.Trim('[', ']'), defaultPort);
    }

    /// <summary>A peer address as nats-server shows it: IPv4 without the IPv6 mapping of a dual-mode socket.</summary>
    public static string IpText(IPAddress address) =>
        (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
